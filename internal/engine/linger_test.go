package engine

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// batches records the size of every Write.
type batches struct {
	mu    sync.Mutex
	sizes []int
	wrote chan struct{}
}

func (b *batches) Name() string { return "batches" }

func (b *batches) Write(_ context.Context, batch []*events.Event) error {
	b.mu.Lock()
	b.sizes = append(b.sizes, len(batch))
	b.mu.Unlock()
	b.wrote <- struct{}{}
	return nil
}

func (b *batches) Close(context.Context) error { return nil }

func startLingering(t *testing.T, linger time.Duration) (*Engine, *batches) {
	t.Helper()
	s := &batches{wrote: make(chan struct{}, 16)}
	e, err := Start(Config{
		Sinks:      []Sink{{Sink: s, Name: "batches", Options: sinks.Options{}.WithDefaults()}},
		IntakeSize: 1024,
		Linger:     linger,
		Logger:     slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := e.Close(ctx); err != nil {
			t.Error(err)
		}
	})
	return e, s
}

// An Emit at or past the linger's due ends the linger at once, taking what
// the linger gathered, without waiting for the timer (here an hour away).
func TestEmitPastTheDueEndsTheLinger(t *testing.T) {
	e, s := startLingering(t, time.Hour)
	early := int64(time.Hour - lingerEarly(time.Hour))
	before := e.clock.reading()
	e.Emit(&events.Event{EventType: "a"})
	after := e.clock.reading()
	e.Emit(&events.Event{EventType: "b"})
	if due := e.in.wake.due.Load(); due < before+early || due > after+early {
		t.Fatalf("due %d, want the first Emit's reading plus the linger less lingerEarly, within [%d, %d]", due, before+early, after+early)
	}
	select {
	case <-s.wrote:
		t.Fatal("the linger ended before its due")
	case <-time.After(50 * time.Millisecond):
	}
	e.in.wake.due.Store(0) // as if the hour had passed
	e.Emit(&events.Event{EventType: "c"})
	select {
	case <-s.wrote:
	case <-time.After(5 * time.Second):
		t.Fatal("an Emit past the due did not end the linger")
	}
	s.mu.Lock()
	got := s.sizes
	s.mu.Unlock()
	if len(got) != 1 || got[0] != 3 {
		t.Fatalf("writes %v, want one of 3 events", got)
	}
	// The router went idle again: no due until the next Emit arms one, and
	// the hour-long timer of the linger that was cut short is stopped.
	waitIdle(t, e)
	if due := e.in.wake.due.Load(); due != noDue {
		t.Fatalf("an idle router kept due %d", due)
	}
	if e.dispatcher.alarm.Stop() {
		t.Fatal("the timer of a linger an Emit ended is still armed")
	}
}

func waitIdle(t *testing.T, e *Engine) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for e.in.wake.v.Load() != routerIdle {
		if time.Now().After(deadline) {
			t.Fatal("the router did not go idle")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLingerEarly(t *testing.T) {
	for _, tc := range []struct{ linger, want time.Duration }{
		{100 * time.Microsecond, 25 * time.Microsecond},
		{time.Millisecond, 250 * time.Microsecond},
		{2 * time.Millisecond, 500 * time.Microsecond},
		{time.Second, 500 * time.Microsecond},
	} {
		if got := lingerEarly(tc.linger); got != tc.want {
			t.Errorf("lingerEarly(%v) = %v, want %v", tc.linger, got, tc.want)
		}
	}
}
