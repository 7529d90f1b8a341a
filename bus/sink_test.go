package bus_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// fake is a scriptable sink for the bus's tests: it records what it
// delivers, and its behaviour hook can fail, panic or block any Write.
type fake struct {
	mu        sync.Mutex
	delivered []events.Event
	writes    int
	closes    int
	changed   chan struct{}
	// behave, if set, runs before each Write with the 1-based call number;
	// a non-nil error fails the Write (nothing delivered).
	behave func(call int, batch []*events.Event) error
}

func newFake() *fake { return &fake{changed: make(chan struct{}, 1)} }

func (f *fake) Write(ctx context.Context, batch []*events.Event) error {
	f.mu.Lock()
	f.writes++
	call, behave := f.writes, f.behave
	f.mu.Unlock()
	if behave != nil {
		if err := behave(call, batch); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	for _, ev := range batch {
		f.delivered = append(f.delivered, *ev)
	}
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
	return nil
}

func (f *fake) Close(context.Context) error {
	f.mu.Lock()
	f.closes++
	f.mu.Unlock()
	return nil
}

func (f *fake) events() []events.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]events.Event(nil), f.delivered...)
}

func (f *fake) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// waitFor polls cond (cheap, in-memory) until it holds or the test's
// deadline budget runs out.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func closeBus(t *testing.T, b interface{ Close(context.Context) error }) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	return b.Close(ctx)
}

// gather makes the next n events one batch: it emits a "held" event whose
// Write waits until emit has made all n events and they reached the host.
// Install f.behave first; it then sees the batch as call 2.
func gather(t *testing.T, b interface {
	Emit(events.Event)
	Health() []sinks.Health
}, f *fake, n int, emit func(i int)) {
	t.Helper()
	release := make(chan struct{})
	f.mu.Lock()
	inner := f.behave
	f.behave = func(call int, batch []*events.Event) error {
		if call == 1 {
			<-release
			return nil
		}
		if inner != nil {
			return inner(call, batch)
		}
		return nil
	}
	f.mu.Unlock()
	b.Emit(events.Event{EventType: "held"})
	waitFor(t, "the held write", func() bool { return f.calls() == 1 })
	for i := range n {
		emit(i)
	}
	waitFor(t, "the batch to gather", func() bool { return b.Health()[0].Received == uint64(n+1) })
	close(release)
}

// wantLost fails t unless err is a *bus.CloseError reporting exactly the
// losses in want (sink name → reason → events), with no other error.
func wantLost(t *testing.T, err error, want map[string]map[sinks.DropReason]uint64) {
	t.Helper()
	var ce *bus.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("Close = %v, want a *bus.CloseError reporting %v", err, want)
	}
	if !reflect.DeepEqual(ce.Lost, want) || ce.Err != nil {
		t.Fatalf("Close reported %v (err %v), want %v", ce.Lost, ce.Err, want)
	}
}

// lost builds wantLost's argument for one sink and one reason.
func lost(sink string, reason sinks.DropReason, n uint64) map[string]map[sinks.DropReason]uint64 {
	return map[string]map[sinks.DropReason]uint64{sink: {reason: n}}
}

// flushBus waits, with Flush, until everything emitted so far is delivered
// or counted.
func flushBus(t *testing.T, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}
