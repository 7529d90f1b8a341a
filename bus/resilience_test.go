package bus_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

var errDown = errors.New("dial tcp 127.0.0.1:6379: connect: connection refused")

func TestBreakerIsolatesAndProbesOnce(t *testing.T) {
	f := newFake()
	var mu sync.Mutex
	down := true
	var callTimes []time.Time
	f.behave = func(int, []*events.Event) error {
		mu.Lock()
		defer mu.Unlock()
		callTimes = append(callTimes, time.Now())
		if down {
			return errDown
		}
		return nil
	}
	const recovery = 150 * time.Millisecond
	b := newBus(t, sinks.WithOptions(f, sinks.Options{Name: "redis",
		Retry:   supervisor.Retry{InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, NoJitter: true},
		Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: recovery}}))
	for i := range 5 {
		b.Emit(events.Event{Operation: fmt.Sprint(i)})
	}
	waitFor(t, "the circuit to open", func() bool { return b.Health()[0].Circuit == supervisor.Open })
	h := b.Health()[0]
	if f.calls() != 3 || h.ConsecutiveFailures != 3 || h.LastError == "" {
		t.Fatalf("after opening: calls=%d health=%+v", f.calls(), h)
	}
	// While open: no I/O, events are buffered.
	for i := 5; i < 10; i++ {
		b.Emit(events.Event{Operation: fmt.Sprint(i)})
	}
	waitFor(t, "the probe", func() bool { return f.calls() == 4 })
	waitFor(t, "the failed probe to re-open the circuit", func() bool { return b.Health()[0].Circuit == supervisor.Open })
	mu.Lock()
	gap := callTimes[3].Sub(callTimes[2])
	down = false
	mu.Unlock()
	if gap < recovery {
		t.Errorf("probe came %v after the circuit opened, before the %v recovery timeout", gap, recovery)
	}
	if f.calls() != 4 {
		t.Errorf("%d calls while open, want exactly one probe", f.calls()-3)
	}
	flushBus(t, b) // the probe closed the circuit: the rest goes out
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	h = b.Health()[0]
	if h.Circuit != supervisor.Closed || h.ConsecutiveFailures != 0 || h.FailedAttempts != 4 || h.DroppedTotal() != 0 {
		t.Errorf("after recovery: %+v", h)
	}
	for i, ev := range f.events() {
		if ev.Operation != fmt.Sprint(i) {
			t.Fatalf("event %d is %s: buffered events must go out first, in order", i, ev.Operation)
		}
	}
}

func TestPartialBatchRetriesOnlyWhatFailed(t *testing.T) {
	f := newFake()
	var mu sync.Mutex
	var attempts [][]string
	f.behave = func(call int, batch []*events.Event) error {
		mu.Lock()
		var ops []string
		for _, ev := range batch {
			ops = append(ops, ev.Operation)
		}
		attempts = append(attempts, ops)
		mu.Unlock()
		if call == 2 {
			// 0 and 2 delivered, 1 fails for good, 3 and 4 may be retried.
			return &sinks.BatchError{Failed: []sinks.Failure{
				{Index: 1, Err: sinks.Permanent(errors.New("WRONGTYPE"))},
				{Index: 3, Err: errDown},
				{Index: 4, Err: errDown},
			}}
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{BatchSize: 5,
		Retry: supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true}}))
	gather(t, b, f, 5, func(i int) { b.Emit(events.Event{Operation: fmt.Sprint(i)}) })
	flushBus(t, b) // the retry of what failed
	wantLost(t, closeBus(t, b), lost("sink-0", sinks.DropPermanent, 1))
	if fmt.Sprint(attempts) != "[[0 1 2 3 4] [3 4]]" {
		t.Errorf("attempts = %v, want the batch, then a retry of only 3 and 4", attempts)
	}
	h := b.Health()[0]
	if h.Delivered != 5 || h.Dropped["permanent_error"] != 1 || h.Received != 6 {
		t.Errorf("health = %+v", h)
	}
}

func TestPermanentErrorDropsBatchAndIsLoud(t *testing.T) {
	f := newFake()
	f.behave = func(call int, _ []*events.Event) error {
		if call == 2 {
			return sinks.Permanent(fmt.Errorf("NOPERM user has no permissions (redis://app:s3cret@redis:6379)"))
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{BatchSize: 3}))
	gather(t, b, f, 3, func(int) { b.Emit(events.Event{}) })
	waitFor(t, "the drop", func() bool { return b.Health()[0].Dropped["permanent_error"] == 3 })
	b.Emit(events.Event{})
	wantLost(t, closeBus(t, b), lost("sink-0", sinks.DropPermanent, 3))
	h := b.Health()[0]
	if h.Delivered != 2 || f.calls() != 3 || h.Circuit != supervisor.Closed {
		t.Errorf("health = %+v, calls = %d", h, f.calls())
	}
	if want := "NOPERM user has no permissions (redis://app:xxxxx@redis:6379)"; h.LastError != want {
		t.Errorf("LastError = %q, want %q", h.LastError, want)
	}
}

func TestRetriesExhausted(t *testing.T) {
	f := newFake()
	f.behave = func(_ int, batch []*events.Event) error {
		if batch[0].Operation != "kept" {
			return errDown
		}
		return nil
	}
	b := newBus(t, sinks.WithOptions(f, sinks.Options{BatchSize: 2, Breaker: supervisor.BreakerPolicy{Disabled: true},
		Retry: supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true, MaxRetries: 2}}))
	b.Emit(events.Event{Operation: "lost-1"})
	b.Emit(events.Event{Operation: "lost-2"})
	waitFor(t, "the batch to be given up", func() bool { return b.Health()[0].Dropped["retries_exhausted"] == 2 })
	b.Emit(events.Event{Operation: "kept"})
	wantLost(t, closeBus(t, b), lost("sink-0", sinks.DropRetriesExhausted, 2))
	if got := f.events(); len(got) != 1 || got[0].Operation != "kept" {
		t.Errorf("delivered %v", got)
	}
}
