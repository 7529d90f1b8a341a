package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// Config configures a memory sink. The zero value keeps every event.
type Config struct {
	// Options configure the host that runs the sink. Default: see
	// sinks.Options.
	sinks.Options
	// Discard counts events without keeping them (for benchmarks): Events()
	// stays empty while Len counts. Default false.
	Discard bool
}

// Sink keeps, or with Config.Discard only counts, the events written to it.
// Create it with New.
type Sink struct {
	cfg    Config
	closed atomic.Bool

	// delivered counts the events written so far; it is the only state a
	// Discard sink updates per Write.
	delivered atomic.Int64
	// waiters counts the Waits in progress, so that Write takes mu to wake
	// them only when someone is waiting.
	waiters atomic.Int32

	mu     sync.Mutex
	events []events.Event // guarded by mu
	// progress is closed, and replaced, when delivered grows while someone
	// waits. Guarded by mu.
	progress chan struct{}
}

// New returns a memory sink, or an error wrapping sinks.ErrInvalidConfig if
// cfg.Options are invalid.
func New(cfg Config) (*Sink, error) {
	if err := cfg.Options.Validate(); err != nil {
		return nil, fmt.Errorf("memory: %w", err)
	}
	return &Sink{cfg: cfg, progress: make(chan struct{})}, nil
}

// Write keeps a copy of every event of batch, in order, and returns nil; after
// Close it returns an error matching sinks.ErrClosed and keeps nothing.
func (s *Sink) Write(_ context.Context, batch []*events.Event) error {
	if s.closed.Load() {
		return fmt.Errorf("memory: write: %w", sinks.ErrClosed)
	}
	if len(batch) == 0 {
		return nil
	}
	if s.cfg.Discard {
		s.delivered.Add(int64(len(batch)))
		if s.waiters.Load() > 0 {
			s.mu.Lock()
			s.notifyLocked()
			s.mu.Unlock()
		}
		return nil
	}
	s.mu.Lock()
	for _, ev := range batch {
		s.events = append(s.events, *ev)
	}
	s.delivered.Add(int64(len(batch)))
	if s.waiters.Load() > 0 {
		s.notifyLocked()
	}
	s.mu.Unlock()
	return nil
}

// notifyLocked wakes every Wait in progress. s.mu must be held.
func (s *Sink) notifyLocked() {
	close(s.progress)
	s.progress = make(chan struct{})
}

// Close makes later Writes fail with sinks.ErrClosed. The events kept so far
// remain readable. It always returns nil.
func (s *Sink) Close(context.Context) error {
	s.closed.Store(true)
	return nil
}

// Name returns "memory".
func (s *Sink) Name() string { return "memory" }

// HostOptions returns the host options of the Config given to New.
func (s *Sink) HostOptions() sinks.Options { return s.cfg.Options }

// Events returns a copy of the events kept so far, in delivery order; it is
// empty with Config.Discard. It is safe to call from any goroutine.
func (s *Sink) Events() []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// Len returns how many events have been delivered so far, also with
// Config.Discard. It is safe to call from any goroutine.
func (s *Sink) Len() int { return int(s.delivered.Load()) }

// Wait returns nil once Len() >= n, or an error wrapping ctx.Err() if ctx
// ends first. It is safe to call from any goroutine and sleeps until a Write
// makes progress rather than polling.
func (s *Sink) Wait(ctx context.Context, n int) error {
	s.waiters.Add(1)
	defer s.waiters.Add(-1)
	for {
		// Take the channel before reading the counter: a Write that lands
		// after this read either sees waiters > 0 and closes this channel, or
		// happened before the read and is counted by it.
		s.mu.Lock()
		progress := s.progress
		s.mu.Unlock()
		if s.Len() >= n {
			return nil
		}
		select {
		case <-progress:
		case <-ctx.Done():
			return fmt.Errorf("memory: waiting for %d events, have %d: %w", n, s.Len(), ctx.Err())
		}
	}
}
