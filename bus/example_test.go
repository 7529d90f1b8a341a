package bus_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// A bus with one sink: trace a call, stream its tokens, end it with usage,
// then read what the sink received.
func Example() {
	mem, _ := memory.New(memory.Config{})
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		panic(err)
	}

	ctx, ex := b.Start(context.Background(), bus.Op{Module: "ChatBot", Operation: "llm_call",
		Tags: map[string]string{"customer_id": "c-42"}})
	_ = ctx // pass it on: executions started from it nest under this one
	ex.Token("The answer")
	ex.Token(" is 42")
	ex.EndWith(map[string]any{events.KeyGenAIUsageOutputTokens: 2}, nil)

	closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Close(closeCtx); err != nil {
		panic(err)
	}
	for _, ev := range mem.Events() {
		fmt.Println(ev.EventType, ev.Operation, ev.Tags["customer_id"], ev.Data[events.KeyToken])
	}
	h := b.Health()[0]
	fmt.Printf("%s: delivered %d, dropped %d\n", h.Name, h.Delivered, h.DroppedTotal())
	// Output:
	// start llm_call c-42 <nil>
	// token llm_call c-42 The answer
	// token llm_call c-42  is 42
	// end llm_call c-42 <nil>
	// memory: delivered 4, dropped 0
}

// Instrument traces every call of a function, as @streamll.instrument does.
func ExampleInstrument() {
	mem, _ := memory.New(memory.Config{})
	b, _ := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})

	lookup := bus.Instrument(b, bus.Op{Module: "RiskEngine", Operation: "score"},
		func(ctx context.Context, account string) (int, error) {
			if account == "" {
				return 0, errors.New("no account")
			}
			return 7, nil
		})
	lookup(context.Background(), "acct-1")
	lookup(context.Background(), "")

	b.Close(context.Background())
	for _, ev := range mem.Events() {
		fmt.Println(ev.ModuleName, ev.EventType, ev.Data[events.KeyErrorMessage])
	}
	// Output:
	// RiskEngine start <nil>
	// RiskEngine end <nil>
	// RiskEngine start <nil>
	// RiskEngine error no account
}

// Filters route events: here only errors reach the alerts sink, as in the
// seed's Example 5.
func ExampleConfig_filters() {
	monitoring, _ := memory.New(memory.Config{})
	alerts, _ := memory.New(memory.Config{Options: sinks.Options{Name: "alerts", Filter: sinks.Types(events.TypeError)}})
	b, _ := bus.New(bus.Config{Sinks: []sinks.Sink{monitoring, alerts}})

	_, ok := b.Start(context.Background(), bus.Op{Operation: "analyze"})
	ok.End(nil)
	_, failed := b.Start(context.Background(), bus.Op{Operation: "analyze"})
	failed.End(errors.New("model timeout"))

	b.Close(context.Background())
	for _, h := range b.Health() {
		fmt.Printf("%s received %d\n", h.Name, h.Received)
	}
	// Output:
	// memory received 4
	// alerts received 1
}
