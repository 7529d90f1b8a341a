package sinks_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// lines is a sink of the smallest kind: it prints each event's type and
// operation. It needs no lock (its host calls it from one goroutine at a
// time), keeps no event after Write returns, and refuses Writes once closed.
type lines struct {
	out    io.Writer
	closed bool
}

func (l *lines) Write(_ context.Context, batch []*events.Event) error {
	if l.closed {
		return sinks.ErrClosed
	}
	for _, ev := range batch {
		if _, err := fmt.Fprintln(l.out, ev.EventType, ev.Operation); err != nil {
			return err // nothing is known delivered: the host retries the batch
		}
	}
	return nil
}

func (l *lines) Close(context.Context) error {
	l.closed = true
	return nil
}

// A sink is a Write and a Close: the bus brings the batching, the bounded
// buffer, the retries, the breaker and the restarts. WithOptions gives a sink
// of your own a name and host options. docs/writing-a-sink.md writes a
// webhook sink step by step and runs it through package sinktest.
func Example() {
	sink := sinks.WithOptions(&lines{out: os.Stdout}, sinks.Options{Name: "lines"})
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}})
	if err != nil {
		panic(err)
	}
	_, ex := b.Start(context.Background(), bus.Op{Operation: "llm_call"})
	ex.Token("The answer is 42")
	ex.End(nil)
	if err := b.Close(context.Background()); err != nil {
		panic(err)
	}
	// Output:
	// start llm_call
	// token llm_call
	// end llm_call
}
