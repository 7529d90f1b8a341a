package bus_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// closeReturns runs b.Close(ctx) and fails t unless it returns within limit.
func closeReturns(t *testing.T, b *bus.Bus, ctx context.Context, limit time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- b.Close(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Close still blocked after %v", limit)
		return nil
	}
}

// accounted checks the per-sink invariant once the bus is closed.
func accounted(t *testing.T, h sinks.Health) {
	t.Helper()
	if h.Received != h.Delivered+h.DroppedTotal()+uint64(h.Buffered) {
		t.Errorf("%s: received %d != delivered %d + dropped %d + buffered %d", h.Name, h.Received, h.Delivered, h.DroppedTotal(), h.Buffered)
	}
}

func TestCloseWhenTheSinkIsStoppedDuringTheDrain(t *testing.T) {
	f := newFake()
	release := make(chan struct{})
	f.behave = func(int, []*events.Event) error {
		<-release
		panic("driver bug while draining")
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "x", Supervision: supervisor.Policy{MaxRestarts: -1}}))
	b.Emit(events.Event{EventType: "a"})
	waitFor(t, "the write", func() bool { return f.calls() == 1 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	time.AfterFunc(50*time.Millisecond, func() { close(release) }) // panic once Close has started
	err := closeReturns(t, b, ctx, 5*time.Second)
	h := b.Health()[0]
	if h.State != sinks.Stopped || h.Dropped["sink_stopped"] != 1 || err == nil {
		t.Errorf("Close = %v, health = %+v", err, h)
	}
	accounted(t, h)
}

func TestClosingAPausedSinkNeedsNoDeadline(t *testing.T) {
	f := newFake()
	f.behave = func(int, []*events.Event) error { panic("always") }
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "p",
		Supervision: supervisor.Policy{MaxRestarts: -1, OnGiveUp: supervisor.PauseSink}}))
	b.Emit(events.Event{EventType: "a"})
	waitFor(t, "the pause", func() bool { return b.Health()[0].State == sinks.Paused })
	err := closeReturns(t, b, context.Background(), 5*time.Second)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || ce.Lost["p"][sinks.DropUndelivered] != 1 {
		t.Fatalf("Close = %v, want one undelivered event", err)
	}
	accounted(t, b.Health()[0])
}

func TestResumeWaitsAndCountsTowardsTheLimit(t *testing.T) {
	f := newFake()
	f.behave = func(int, []*events.Event) error { panic("poison batch") }
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "r", Supervision: supervisor.Policy{
		MaxRestarts: 3, Backoff: fastRestarts,
		Decide: func(*supervisor.Crash) supervisor.Directive { return supervisor.Resume }}}))
	b.Emit(events.Event{EventType: "a"})
	waitFor(t, "the limit to stop the sink", func() bool { return b.Health()[0].State == sinks.Stopped })
	if f.calls() != 4 {
		t.Errorf("%d writes, want 4: the first and three resumes", f.calls())
	}
	wantLost(t, closeBus(t, b), lost("r", sinks.DropSinkStopped, 1))
	accounted(t, b.Health()[0])
}

func TestAPanickingDeciderStopsOnlyItsSink(t *testing.T) {
	f, other := newFake(), newFake()
	f.behave = func(int, []*events.Event) error { panic("driver") }
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "d", Supervision: supervisor.Policy{
		Decide: func(*supervisor.Crash) supervisor.Directive { panic("bug in Decide") }}}), other)
	b.Emit(events.Event{EventType: "a"})
	waitFor(t, "the sink to stop", func() bool { return b.Health()[0].State == sinks.Stopped })
	b.Emit(events.Event{EventType: "b"})
	wantLost(t, closeReturns(t, b, context.Background(), 5*time.Second), lost("d", sinks.DropSinkStopped, 2))
	if n := len(other.events()); n != 2 {
		t.Errorf("the other sink got %d events, want 2", n)
	}
	for _, h := range b.Health() {
		accounted(t, h)
	}
}

func TestNothingUncountedWhenASinkStopsUnderLoad(t *testing.T) {
	for range 10 {
		f := newFake()
		f.behave = func(int, []*events.Event) error { panic("x") }
		b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "s", Supervision: supervisor.Policy{MaxRestarts: -1}}), newFake())
		const n = 20000
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for i := range n / 4 {
					b.Emit(events.Event{EventType: "e", Operation: fmt.Sprint(i)})
				}
			})
		}
		wg.Wait()
		closeReturns(t, b, context.Background(), 10*time.Second)
		for _, h := range b.Health() {
			if h.Received != n {
				t.Fatalf("%s received %d of %d", h.Name, h.Received, n)
			}
			accounted(t, h)
		}
	}
}

func TestAPanicDuringTheProbeDoesNotWedgeTheSink(t *testing.T) {
	f := newFake()
	f.behave = func(call int, _ []*events.Event) error {
		switch {
		case call <= 2:
			return errors.New("down")
		case call == 3:
			panic("bug in the driver's error path, hit by the probe")
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "p",
		Retry:       supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true},
		Breaker:     supervisor.BreakerPolicy{FailureThreshold: 2, RecoveryTimeout: 50 * time.Millisecond},
		Supervision: supervisor.Policy{Backoff: fastRestarts}}))
	b.Emit(events.Event{EventType: "a"})
	flushBus(t, b) // delivered after the crashed probe
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if h := b.Health()[0]; h.Circuit != supervisor.Closed || h.Restarts != 1 {
		t.Errorf("health = %+v", h)
	}
}

func TestOutOfOrderBatchErrorsAreNotCountedDelivered(t *testing.T) {
	f := newFake()
	release := make(chan struct{})
	var mu sync.Mutex
	var retried []string
	f.behave = func(call int, batch []*events.Event) error {
		switch call {
		case 1:
			<-release // holds the first event while the next four gather
		case 2:
			// Unsorted, with a duplicate and an index out of range: events 1
			// and 3 of the batch failed, 0 and 2 were delivered.
			return &sinks.BatchError{Failed: []sinks.Failure{
				{Index: 3, Err: errDown}, {Index: 1, Err: errDown}, {Index: 3, Err: errDown}, {Index: 9, Err: errDown},
			}}
		case 3:
			mu.Lock()
			for _, ev := range batch {
				retried = append(retried, ev.Operation)
			}
			mu.Unlock()
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{BatchSize: 4, Retry: supervisor.Retry{InitialInterval: time.Millisecond}}))
	b.Emit(events.Event{EventType: "e", Operation: "held"})
	waitFor(t, "the first write", func() bool { return f.calls() == 1 })
	for i := range 4 {
		b.Emit(events.Event{EventType: "e", Operation: fmt.Sprint(i)})
	}
	waitFor(t, "the batch to gather", func() bool { return b.Health()[0].Received == 5 })
	close(release)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(retried) != "[1 3]" {
		t.Errorf("retried %v, want [1 3]", retried)
	}
	if h := b.Health()[0]; h.Delivered != 5 || f.calls() != 3 {
		t.Errorf("calls = %d, health = %+v", f.calls(), h)
	}
	accounted(t, b.Health()[0])
}
