package bus_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// fragile is a driver that corrupts its own state before it panics: once
// broken, every Write of that instance fails. Only a fresh instance, which
// Rebuild makes, writes again.
type fragile struct {
	shared    *fragileLog
	broken    bool
	instance  int
	panicOnce *atomic.Bool
}

type fragileLog struct {
	mu        sync.Mutex
	delivered []string
	instances int
	closed    int
}

func (f *fragile) Write(_ context.Context, batch []*events.Event) error {
	if f.broken {
		return errors.New("connection state corrupted")
	}
	if f.panicOnce.CompareAndSwap(false, true) {
		f.broken = true
		panic("driver bug: the connection is now in an unknown state")
	}
	f.shared.mu.Lock()
	defer f.shared.mu.Unlock()
	for _, ev := range batch {
		f.shared.delivered = append(f.shared.delivered, ev.Operation)
	}
	return nil
}

func (f *fragile) Close(context.Context) error {
	f.shared.mu.Lock()
	f.shared.closed++
	f.shared.mu.Unlock()
	return nil
}

func (f *fragile) Rebuild(context.Context) (sinks.Sink, error) {
	f.shared.mu.Lock()
	f.shared.instances++
	n := f.shared.instances
	f.shared.mu.Unlock()
	return &fragile{shared: f.shared, instance: n, panicOnce: f.panicOnce}, nil
}

// TestRestartRebuildsTheDriver: after a panic, Restart gives the sink a
// fresh instance (the broken one is closed), so the batch in hand and every
// later event are delivered, in order; Resume keeps the broken instance,
// which is why the two directives exist.
func TestRestartRebuildsTheDriver(t *testing.T) {
	for _, c := range []struct {
		directive supervisor.Directive
		delivered bool
	}{{supervisor.Restart, true}, {supervisor.Resume, false}} {
		t.Run(c.directive.String(), func(t *testing.T) {
			log := &fragileLog{instances: 1}
			d := &fragile{shared: log, instance: 1, panicOnce: new(atomic.Bool)}
			b := newBus(t, sinks.WithOptions(d, sinks.Options{Name: "fragile", BatchSize: 2,
				Retry:       supervisor.Retry{InitialInterval: 1, MaxInterval: 1, NoJitter: true, MaxRetries: 3},
				Breaker:     supervisor.BreakerPolicy{Disabled: true},
				Supervision: supervisor.Policy{Backoff: fastRestarts, Decide: func(*supervisor.Crash) supervisor.Directive { return c.directive }}}))
			for _, op := range []string{"a", "b", "c"} {
				b.Emit(events.Event{EventType: "step", Operation: op})
			}
			err := closeBus(t, b)
			h := b.Health()[0]
			log.mu.Lock()
			defer log.mu.Unlock()
			if c.delivered {
				if err != nil || len(log.delivered) != 3 || log.delivered[0] != "a" || log.instances != 2 || h.Restarts != 1 {
					t.Fatalf("Close = %v; delivered %v through %d instances; health %+v", err, log.delivered, log.instances, h)
				}
				if log.closed != 2 {
					t.Errorf("closed %d instances, want 2: the broken one at the restart, the fresh one at Close", log.closed)
				}
				return
			}
			if len(log.delivered) != 0 || log.instances != 1 || h.Dropped["retries_exhausted"] == 0 {
				t.Fatalf("resume: delivered %v through %d instances; health %+v", log.delivered, log.instances, h)
			}
		})
	}
}
