package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/events"
)

func Example() {
	mem, err := memory.New(memory.Config{})
	if err != nil {
		panic(err)
	}
	// A bus would call Write; here the test plays the host.
	ctx := context.Background()
	_ = mem.Write(ctx, []*events.Event{
		{EventType: events.TypeStart, Operation: "llm_call"},
		{EventType: events.TypeEnd, Operation: "llm_call"},
	})

	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := mem.Wait(ctx, 2); err != nil {
		fmt.Println(err)
		return
	}
	for _, ev := range mem.Events() {
		fmt.Println(ev.EventType, ev.Operation)
	}
	// Output:
	// start llm_call
	// end llm_call
}
