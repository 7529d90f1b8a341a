package sinktest

import (
	"context"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// DefaultTimeout bounds each wait of the suite when Features.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// Harness tells the suite how to make and observe one driver.
type Harness struct {
	// New returns a fresh sink with its own destination (stream key, queue,
	// buffer...). It registers the cleanup of that destination with t.Cleanup;
	// the suite closes the sink itself.
	New func(t *testing.T) sinks.Sink
	// Received returns, in arrival order, the events the destination of s has
	// received so far, waiting until it holds at least want events or ctx ends
	// (then it returns what it has). It must keep working after s is closed.
	Received func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event
	// Proxied, if set, enables the fault cases (Faults/...). It returns a
	// fresh sink as New does, except that the sink reaches its destination
	// through the TCP proxy p, which the suite cuts, freezes and restores:
	// where New gives the driver its server's URL or address, Proxied gives
	// it p.URL(url, defaultPort) or p.Addr(hostPort). Received must work for
	// its sinks as for New's. Drivers that reach nothing over TCP (memory,
	// terminal) leave it nil, and the fault cases are skipped.
	Proxied func(t *testing.T, p *Proxy) sinks.Sink
	// Features says what the driver can promise; cases that need more are
	// skipped with a reason.
	Features Features
}

// Features declares what a driver can promise.
type Features struct {
	// TypeAndOperationOnly: Received can recover only EventType and Operation
	// (e.g. terminal output); events are compared on those two fields only,
	// and cases about the content of Data are skipped.
	TypeAndOperationOnly bool
	// WholeExecutions: the driver delivers an execution's events together,
	// when the execution ends (an OpenTelemetry span is exported at its end),
	// so a start whose end never comes is only delivered at Close. The suite
	// then writes whole executions (see MakeExecutions) instead of unrelated
	// events, so that everything it writes has ended; the rules it checks
	// are the same.
	WholeExecutions bool
	// Timeout bounds each wait in the suite (a Write, a Close, a Received).
	// Default DefaultTimeout (10s).
	Timeout time.Duration
}

// Run runs every case as a subtest of t. A case that fails logs the rule
// of the sinks.Sink contract it checks, quoted from its documentation, as
// testing/slogtest does. Run must not run in parallel with other tests of
// the same process, since one case checks for leaked goroutines.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil || h.Received == nil {
		t.Fatal("sinktest: Harness.New and Harness.Received are required")
	}
	s := suite{h: h, timeout: h.Features.Timeout}
	if s.timeout <= 0 {
		s.timeout = DefaultTimeout
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Registered first, so run last: after the cases' own cleanups,
			// which may fail t too (the goroutine leak checks do).
			t.Cleanup(func() {
				if t.Failed() {
					t.Log(c.rule.explain())
				}
			})
			c.run(t, s)
		})
	}
}

// suite holds the harness and the helpers every case uses.
type suite struct {
	h       Harness
	timeout time.Duration
}

// newSink makes a sink and makes sure it is closed when t ends, whatever the
// case did with it (a second Close must be harmless).
func (s suite) newSink(t *testing.T) sinks.Sink {
	t.Helper()
	return s.closeAtEnd(t, s.h.New(t), "Harness.New")
}

func (s suite) closeAtEnd(t *testing.T, sink sinks.Sink, by string) sinks.Sink {
	t.Helper()
	if sink == nil {
		t.Fatal(by + " returned a nil sink")
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
		defer cancel()
		_ = sink.Close(ctx)
	})
	return sink
}

// events returns n new events for a case, as MakeEvents makes them, or as
// MakeExecutions does for a driver with Features.WholeExecutions.
func (s suite) events(n int, prefix string) []*events.Event {
	if s.h.Features.WholeExecutions {
		return MakeExecutions(n, prefix)
	}
	return MakeEvents(n, prefix)
}

// context returns a context that ends after one wait's timeout.
func (s suite) context(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), s.timeout)
}

// write writes batch and fails t unless the sink accepted it.
func (s suite) write(t *testing.T, sink sinks.Sink, batch []*events.Event) {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Write(ctx, batch); err != nil {
		t.Fatalf("Write of %d events: %v", len(batch), err)
	}
}

// writeWithin calls Write with a context of deadline d, on a goroutine of
// its own, and fails t if Write has not returned within d plus one wait's
// timeout. It returns how long Write took, and its error.
func (s suite) writeWithin(t *testing.T, sink sinks.Sink, batch []*events.Event, d time.Duration) (time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), d)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- sink.Write(ctx, batch) }()
	guard := time.NewTimer(d + s.timeout)
	defer guard.Stop()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-guard.C:
		t.Fatalf("Write of %d events with a %v deadline had not returned after %v", len(batch), d, d+s.timeout)
		return 0, nil
	}
}

// close closes sink and fails t unless it succeeded.
func (s suite) close(t *testing.T, sink sinks.Sink) {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// received waits, at most one timeout, until the destination holds want events.
func (s suite) received(t *testing.T, sink sinks.Sink, want int) []events.Event {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	return s.h.Received(ctx, t, sink, want)
}

// expect checks that the destination received exactly want, in order.
func (s suite) expect(t *testing.T, sink sinks.Sink, want []*events.Event) {
	t.Helper()
	if d := diff(want, s.received(t, sink, len(want)), s.h.Features); d != "" {
		t.Error(d)
	}
}

// expectAtLeastOnce checks that the destination received every event of
// want, and nothing else: in want's order, counting each event's first
// copy, when ordered; otherwise in any order. Extra copies of want's
// events are what at-least-once delivery allows.
func (s suite) expectAtLeastOnce(t *testing.T, sink sinks.Sink, want []*events.Event, ordered bool) {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	got := s.h.Received(ctx, t, sink, len(want))
	d, more := copies(want, got, s.h.Features, ordered)
	for d != "" && more > 0 && ctx.Err() == nil {
		got = s.h.Received(ctx, t, sink, len(got)+more)
		d, more = copies(want, got, s.h.Features, ordered)
	}
	if d != "" {
		t.Error(d)
	}
}
