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

// Use starts the default bus; Shutdown, deferred in main, closes it and
// logs anything that was not delivered. Instrument with a nil bus, Start
// and the package-level helpers then need no bus in hand.
func ExampleUse() {
	mem, _ := memory.New(memory.Config{})
	b, err := bus.Use(mem) // in main: bus.Use(terminal.To(os.Stdout))
	if err != nil {
		panic(err)
	}
	answer := bus.InstrumentNoInput(nil, bus.Op{Module: "ChatBot", Operation: "forward"},
		func(ctx context.Context) (string, error) {
			bus.Token(ctx, "42")
			return "42", nil
		})
	answer(context.Background())

	if err := b.Shutdown(); err != nil { // in main: defer b.Shutdown()
		panic(err)
	}
	for _, ev := range mem.Events() {
		fmt.Println(ev.ModuleName, ev.EventType, ev.Operation)
	}
	// Output:
	// ChatBot start forward
	// ChatBot token forward
	// ChatBot end forward
}

// Token, Emit and the other package-level helpers reach the execution the
// context carries, so a function called with it needs no *Execution.
func ExampleToken() {
	mem, _ := memory.New(memory.Config{})
	b, _ := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})

	stream := func(ctx context.Context, answer ...string) {
		for _, tok := range answer {
			bus.Token(ctx, tok)
		}
		bus.Emit(ctx, "answered", map[string]any{"tokens": len(answer)})
	}
	ctx, ex := b.Start(context.Background(), bus.Op{Operation: "llm_call"})
	stream(ctx, "The answer", " is 42")
	ex.End(nil)
	stream(context.Background(), "untraced") // no execution: nothing is emitted

	b.Close(context.Background())
	for _, ev := range mem.Events() {
		fmt.Println(ev.EventType, ev.Data[events.KeyToken], ev.Data["tokens"])
	}
	// Output:
	// start <nil> <nil>
	// token The answer <nil>
	// token  is 42 <nil>
	// answered <nil> 2
	// end <nil> <nil>
}
