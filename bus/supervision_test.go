package bus_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// fastRestarts restarts at once, so tests don't wait out real backoff.
var fastRestarts = supervisor.Retry{InitialInterval: time.Microsecond, MaxInterval: time.Microsecond, NoJitter: true}

func TestPanickingDriverLosesNothing(t *testing.T) {
	f := newFake()
	f.behave = func(call int, _ []*events.Event) error {
		if call%3 == 0 {
			panic(fmt.Sprintf("driver bug on call %d", call))
		}
		return nil
	}
	other := newFake()
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "flaky", BatchSize: 7,
		Supervision: supervisor.Policy{MaxRestarts: 1000, Backoff: fastRestarts}}), other)
	const n = 2000
	for i := range n {
		b.Emit(events.Event{EventType: "n", Operation: fmt.Sprint(i)})
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	got := f.events()
	if len(got) != n {
		t.Fatalf("delivered %d of %d", len(got), n)
	}
	for i, ev := range got {
		if ev.Operation != fmt.Sprint(i) {
			t.Fatalf("event %d is %s: order broken by a restart", i, ev.Operation)
		}
	}
	h := b.Health()[0]
	if h.Restarts == 0 || h.Restarts != h.FailedAttempts || h.Delivered != n || h.DroppedTotal() != 0 {
		t.Errorf("health = %+v", h)
	}
	if len(other.events()) != n {
		t.Errorf("other sink got %d events", len(other.events()))
	}
}

func TestRestartLimitStopsOnlyThatSink(t *testing.T) {
	f := newFake()
	f.behave = func(int, []*events.Event) error { panic("always") }
	other := newFake()
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "broken",
		Supervision: supervisor.Policy{MaxRestarts: 3, Window: time.Minute, Backoff: fastRestarts}}), other)
	b.Emit(events.Event{EventType: "first"})
	waitFor(t, "the sink to stop", func() bool { return b.Health()[0].State == sinks.Stopped })
	for range 10 {
		b.Emit(events.Event{EventType: "later"})
	}
	wantLost(t, closeBus(t, b), lost("broken", sinks.DropSinkStopped, 11))
	h := b.Health()[0]
	if h.Restarts != 3 || h.Received != 11 || h.Dropped["sink_stopped"] != 11 || h.Delivered != 0 {
		t.Errorf("broken sink health = %+v", h)
	}
	if f.calls() != 4 {
		t.Errorf("driver called %d times, want 4 (first try + 3 restarts)", f.calls())
	}
	if len(other.events()) != 11 {
		t.Errorf("other sink got %d events, want 11", len(other.events()))
	}
}

func TestPausedSinkBuffersUntilRestart(t *testing.T) {
	f := newFake()
	broken := true
	f.behave = func(int, []*events.Event) error {
		if broken {
			panic("still broken")
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "pausable",
		Supervision: supervisor.Policy{MaxRestarts: 1, OnGiveUp: supervisor.PauseSink, Backoff: fastRestarts}}))
	b.Emit(events.Event{EventType: "a"})
	waitFor(t, "the sink to pause", func() bool { return b.Health()[0].State == sinks.Paused })
	callsWhenPaused := f.calls()
	b.Emit(events.Event{EventType: "b"})
	waitFor(t, "the event to be buffered", func() bool { return b.Health()[0].Buffered == 2 })
	if f.calls() != callsWhenPaused {
		t.Errorf("a paused sink was written to: %d calls, %d when it paused", f.calls(), callsWhenPaused)
	}
	f.mu.Lock()
	broken = false
	f.mu.Unlock()
	if err := b.Resume("nope"); !errors.Is(err, bus.ErrUnknownSink) {
		t.Errorf("Restart(unknown) = %v", err)
	}
	if err := b.Resume("pausable"); err != nil {
		t.Fatal(err)
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if got := f.events(); len(got) != 2 || got[0].EventType != "a" || got[1].EventType != "b" {
		t.Errorf("delivered %v", got)
	}
}

func TestDeciderStopsAtOnce(t *testing.T) {
	f := newFake()
	f.behave = func(int, []*events.Event) error { panic(errors.New("corrupt state")) }
	var seen *supervisor.Crash
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Supervision: supervisor.Policy{
		Decide: func(c *supervisor.Crash) supervisor.Directive { seen = c; return supervisor.Stop }}}))
	b.Emit(events.Event{EventType: "x"})
	waitFor(t, "the sink to stop", func() bool { return b.Health()[0].State == sinks.Stopped })
	wantLost(t, closeBus(t, b), lost("sink-0", sinks.DropSinkStopped, 1))
	h := b.Health()[0]
	if h.Restarts != 0 || h.Dropped["sink_stopped"] != 1 || seen == nil || len(seen.Stack) == 0 {
		t.Errorf("health = %+v, crash = %+v", h, seen)
	}
	if h.LastError == "" {
		t.Error("the panic is not in Health's LastError")
	}
}

func TestOverflowCountsExactly(t *testing.T) {
	for _, policy := range []sinks.Overflow{sinks.DropOldest, sinks.DropNewest} {
		t.Run(policy.String(), func(t *testing.T) {
			f := newFake()
			release := make(chan struct{})
			f.behave = func(call int, _ []*events.Event) error {
				if call == 1 {
					<-release // the backend hangs with the first batch in hand
				}
				return nil
			}
			const buffer, extra = 50, 20
			b := newBus(t, sinks.WithOptions(f, sinks.Options{BufferSize: buffer, BatchSize: 10, Overflow: policy}))
			b.Emit(events.Event{Operation: "held"})
			waitFor(t, "the first write", func() bool { return f.calls() == 1 })
			for i := range buffer - 1 + extra {
				b.Emit(events.Event{Operation: fmt.Sprint(i)})
			}
			waitFor(t, "the buffer to fill", func() bool {
				// Received counts the router's hand-over; the overflow is
				// applied when the host takes its inbox.
				h := b.Health()[0]
				return h.Received == buffer+extra && h.Dropped["overflow"] == extra
			})
			close(release)
			wantLost(t, closeBus(t, b), lost("sink-0", sinks.DropOverflow, 20))
			h := b.Health()[0]
			if h.Dropped["overflow"] != extra || h.Delivered != buffer || h.BufferedHighWater != buffer {
				t.Fatalf("health = %+v", h)
			}
			got := f.events()
			first := 0 // DropNewest keeps 0..48
			if policy == sinks.DropOldest {
				first = extra // DropOldest keeps 20..68
			}
			for i, ev := range got[1:] {
				if ev.Operation != fmt.Sprint(first+i) {
					t.Fatalf("event %d is %s, want %d", i, ev.Operation, first+i)
				}
			}
		})
	}
}
