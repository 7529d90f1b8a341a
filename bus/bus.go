package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// Bus carries events from producers to sinks. Its methods are safe for
// concurrent use. Emit never blocks on a sink and never does I/O on the
// caller's goroutine.
type Bus struct {
	system *actor.ActorSystem
	router *actor.PID
	routes []route // read-only once the router has started
	hosts  []*sinks.Host
	logger *slog.Logger

	// gate orders Emit against Close: Emit holds it shared while it checks
	// closed and posts to the router, so once Close holds it exclusively no
	// event can slip in behind the drain request.
	gate   sync.RWMutex
	closed bool

	closeOnce sync.Once
	closeErr  error
	closeDone chan struct{}
}

// New validates cfg and starts a bus: one router actor and one supervised
// host actor per sink. Invalid configuration returns an error wrapping
// ErrInvalidConfig and starts nothing.
func New(cfg Config) (*Bus, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var errs []error
	hosts := make([]*sinks.Host, 0, len(cfg.Sinks))
	taken := map[string]bool{}
	for i, s := range cfg.Sinks {
		if s == nil {
			errs = append(errs, fmt.Errorf("%w: Sinks[%d] is nil", ErrInvalidConfig, i))
			continue
		}
		opts := hostOptions(s)
		h, err := sinks.NewHost(s, sinkName(s, opts, i, taken), opts, logger)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: Sinks[%d]: %w", ErrInvalidConfig, i, err))
			continue
		}
		hosts = append(hosts, h)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	system := actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return protoactorLogger(logger) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	r := &router{ready: make(chan struct{})}
	for _, h := range hosts {
		r.routes = append(r.routes, route{host: h})
	}
	props := actor.PropsFromProducer(func() actor.Actor { return r },
		actor.WithMailbox(func() actor.Mailbox {
			r.mailbox = actor.Unbounded()()
			return r.mailbox
		}))
	pid, err := system.Root.SpawnNamed(props, "streamll-router")
	if err != nil {
		return nil, fmt.Errorf("bus: starting router: %w", err)
	}
	<-r.ready
	return &Bus{
		system:    system,
		router:    pid,
		routes:    r.routes,
		hosts:     hosts,
		logger:    logger,
		closeDone: make(chan struct{}),
	}, nil
}

// Emit hands ev to every sink whose filter accepts it and returns at once.
// An empty EventID gets a new one, a zero Timestamp the current time, and an
// empty EventType "unknown" (the wire format requires one).
// After Emit returns the bus shares ev's maps with the sinks: do not modify
// them. On a closed or nil bus the event is counted as dropped ("closed") by
// every sink that would have taken it.
func (b *Bus) Emit(ev events.Event) {
	if b == nil {
		return
	}
	// One allocation holds the event and the bytes of its new ID: the ID
	// string points into the same object, which it keeps alive.
	e := &emitted{Event: ev}
	if e.EventID == "" {
		events.PutID(&e.id)
		e.EventID = unsafe.String(&e.id[0], events.IDLength)
	}
	if e.Timestamp.IsZero() {
		e.Timestamp = time.Now()
	}
	if e.EventType == "" {
		e.EventType = "unknown"
	}
	b.post(&e.Event)
}

type emitted struct {
	events.Event
	id [events.IDLength]byte
}

func (b *Bus) post(ev *events.Event) {
	b.gate.RLock()
	if b.closed {
		b.gate.RUnlock()
		for _, h := range b.hosts {
			if h.Accepts(ev) {
				h.Refuse(sinks.DropClosed)
			}
		}
		return
	}
	b.system.Root.Send(b.router, ev)
	b.gate.RUnlock()
}

// Health returns a snapshot of every sink, in configuration order.
func (b *Bus) Health() []sinks.Health {
	hs := make([]sinks.Health, len(b.hosts))
	for i, h := range b.hosts {
		hs[i] = h.Health()
	}
	return hs
}

// Restart resumes a sink that its supervision policy paused (PauseSink) after
// too many restarts. It returns ErrUnknownSink for a name no sink has.
func (b *Bus) Restart(name string) error {
	for i, h := range b.hosts {
		if h.Name() != name {
			continue
		}
		b.gate.RLock()
		defer b.gate.RUnlock()
		if b.closed {
			return ErrClosed
		}
		b.system.Root.Send(b.routes[i].pid, sinks.Resume{})
		return nil
	}
	return fmt.Errorf("%w: %q", ErrUnknownSink, name)
}

// CloseError reports what Close could not deliver.
type CloseError struct {
	// Undelivered counts, per sink name, the events still held when the
	// context ended; they are also counted in Health as dropped ("closed").
	Undelivered map[string]int
	// Err joins the context's error and any sink's Close error.
	Err error
}

// Error lists, per sink, what was left undelivered.
func (e *CloseError) Error() string {
	names := make([]string, 0, len(e.Undelivered))
	for n := range e.Undelivered {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("bus: close:")
	total := 0
	for _, n := range names {
		if e.Undelivered[n] > 0 {
			fmt.Fprintf(&b, " %s left %d undelivered;", n, e.Undelivered[n])
			total += e.Undelivered[n]
		}
	}
	if total == 0 {
		b.WriteString(" every event delivered;")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " %v", e.Err)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the underlying errors, so errors.Is(err,
// context.DeadlineExceeded) works.
func (e *CloseError) Unwrap() error { return e.Err }

// closeGrace is how long Close waits past its context for a host to answer.
const closeGrace = time.Second

// Close stops intake, then lets every sink deliver what it holds until ctx
// ends, closes the sinks and stops the bus's actors. It returns nil when
// everything emitted before it was delivered, and a *CloseError saying what
// was left otherwise. Events emitted after Close starts are counted as dropped
// ("closed"). Close is idempotent: later calls wait for the first and return
// its result.
func (b *Bus) Close(ctx context.Context) error {
	if b == nil {
		return nil
	}
	b.closeOnce.Do(func() {
		b.closeErr = b.close(ctx)
		close(b.closeDone)
	})
	<-b.closeDone
	return b.closeErr
}

func (b *Bus) close(ctx context.Context) error {
	b.gate.Lock()
	b.closed = true
	b.gate.Unlock()

	replies := make(chan sinks.DrainResult, len(b.hosts))
	b.system.Root.Send(b.router, drainAll{drain: &sinks.Drain{Ctx: ctx, Reply: replies}})
	undelivered := map[string]int{}
	var errs []error
	answered := map[string]bool{}
	var giveUp <-chan time.Time
	for len(answered) < len(b.hosts) {
		// Every host answers by ctx's end; the grace after it is a guard
		// against a host that cannot (its driver hangs in Close).
		select {
		case r := <-replies:
			answered[r.Sink] = true
			if r.Undelivered > 0 {
				undelivered[r.Sink] = r.Undelivered
				b.logger.Warn("sink closed with undelivered events", "sink", r.Sink, "undelivered", r.Undelivered)
			}
			if r.Err != nil {
				errs = append(errs, r.Err)
			}
			continue
		case <-ctx.Done():
			if giveUp == nil {
				giveUp = time.After(closeGrace)
			}
			continue
		case <-giveUp:
		}
		for _, h := range b.hosts {
			if !answered[h.Name()] {
				answered[h.Name()] = true
				undelivered[h.Name()] = h.Health().Buffered
				errs = append(errs, fmt.Errorf("bus: sink %s did not finish closing: %w", h.Name(), ctx.Err()))
			}
		}
	}
	// Every host has finished: stopping them abandons nothing.
	if err := b.system.Root.StopFuture(b.router).Wait(); err != nil {
		errs = append(errs, fmt.Errorf("bus: stopping router: %w", err))
	}
	b.system.Shutdown()
	if len(undelivered) == 0 && len(errs) == 0 {
		return nil
	}
	return &CloseError{Undelivered: undelivered, Err: errors.Join(errs...)}
}
