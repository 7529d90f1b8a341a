package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// Config is what the bus hands the engine: validated sinks with unique names.
type Config struct {
	Sinks      []Sink
	IntakeSize int           // slots; at least 2
	Linger     time.Duration // how long the router gathers events after it is woken; 0 takes them at once
	Logger     *slog.Logger  // not nil
}

// Sink is one sink as the engine runs it.
type Sink struct {
	Sink    sinks.Sink
	Name    string
	Options sinks.Options // with defaults applied, validated
}

// Engine is the running bus: the intake, the router actor and one host
// actor per sink, in a protoactor system of their own.
type Engine struct {
	in     *intake
	clock  *monoClock // timestamps: producers read it, the router converts
	hosts  []*host
	names  []string
	system *actor.ActorSystem
	router *actor.PID
	root   *actor.RootContext
	logger *slog.Logger
	// linger wakes a lingering router: the producer that found the router
	// idle arms it, so that a quiet spell costs one wake-up, not two.
	linger     time.Duration
	dispatcher *dedicated // runs the router; its alarm is the linger timer

	closeOnce sync.Once
	closeDone chan struct{}
	report    Report
	closeErr  error
}

// Start builds the actors and returns the running engine.
func Start(cfg Config) (*Engine, error) {
	now := time.Now()
	cfg.Logger = redactLogger(cfg.Logger)
	e := &Engine{in: newIntake(cfg.IntakeSize), clock: newMonoClock(), logger: cfg.Logger, closeDone: make(chan struct{})}
	for i, s := range cfg.Sinks {
		h := newHost(i, s.Sink, s.Name, s.Options, cfg.Logger, now)
		if s.Options.Spool.Dir != "" {
			log, err := openSpool(s.Name, s.Options.Spool, h.logger)
			if err != nil {
				e.hosts = append(e.hosts, h) // for its dispatcher
				e.closeSpools()
				e.stopDispatchers()
				return nil, err
			}
			h.d.attachSpool(log, log.Dir())
		}
		e.hosts = append(e.hosts, h)
		e.names = append(e.names, s.Name)
	}
	e.system = actor.NewActorSystem(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return protoactorLogger(cfg.Logger) }),
		actor.WithDeadLetterThrottleInterval(10*time.Millisecond),
	)
	e.root = e.system.Root
	e.system.EventStream.Subscribe(e.deadLetter)
	r := &router{
		in:      e.in,
		clock:   e.clock,
		hosts:   e.hosts,
		pending: make([][]*events.Event, len(e.hosts)),
		touched: make([]bool, len(e.hosts)),
		ready:   make(chan struct{}),
	}
	// The alarm runs on the router's goroutine, which set r.self and r.root
	// as it started.
	e.dispatcher = withAlarm(func() { r.root.Send(r.self, lingerDone{}) })
	r.alarm = e.dispatcher.alarm
	pid, err := e.root.SpawnNamed(actor.PropsFromProducer(func() actor.Actor { return r }, actor.WithDispatcher(e.dispatcher)), "streamll-router")
	if err != nil {
		e.system.Shutdown()
		e.closeSpools()
		e.stopDispatchers()
		return nil, fmt.Errorf("bus: starting router: %w", err)
	}
	<-r.ready
	e.router = pid
	e.linger = cfg.Linger
	return e, nil
}

// stopDispatchers ends the actors' goroutines, once the actors are gone.
func (e *Engine) stopDispatchers() {
	if e.dispatcher != nil {
		e.dispatcher.stop()
	}
	for _, h := range e.hosts {
		h.dispatcher.stop()
	}
}

// closeSpools closes the spools of a bus that failed to start.
func (e *Engine) closeSpools() {
	for _, h := range e.hosts {
		_ = h.closeSpool()
	}
}

// Emit offers ev to the intake. It copies ev and never retains the pointer.
// A full intake drops the event, counted for every sink that would have
// taken it, and yields the processor once: under a flood of producers that
// is what lets the router and the hosts, goroutines like any other, run.
// Without sinks nothing would take the event, and Emit returns at once.
func (e *Engine) Emit(ev *events.Event) {
	if len(e.hosts) == 0 {
		return
	}
	var at int64
	if ev.Timestamp.IsZero() {
		at = e.clock.reading()
	}
	switch r, pos := e.in.put(ev, at); r {
	case putOK:
		if e.in.wake.v.Load() == routerRunning {
			return
		}
		if at == 0 {
			at = e.clock.reading() // the event came with its own time
		}
		if wake, urgent := e.in.nudge(at, pos); wake {
			switch {
			case urgent || e.linger <= 0:
				e.root.Send(e.router, wakeUrgent{})
			default:
				// Only the producer that moved the router from idle to
				// lingering gets here: one arms the linger at a time.
				e.in.wake.due.Store(at + int64(e.linger-lingerEarly(e.linger)))
				e.dispatcher.alarm.Reset(e.linger)
			}
		}
	case putFull:
		e.refuse(*ev, sinks.DropIntakeFull)
		runtime.Gosched()
	case putSealed:
		e.refuse(*ev, sinks.DropAfterClose)
	}
}

// lingerEarly is how long before its end a linger may be ended by an Emit
// rather than by its timer. When a process is idle the Go runtime sleeps
// until its next timer in whole milliseconds (epoll's timeout), so the
// timer fires up to a millisecond late; a producer that emits in the last
// quarter of the linger (at most its last half millisecond), or after its
// end, ends it at once instead: the router's turn then follows a goroutine
// that is awake anyway, and a window does not overrun its linger by the
// timer's rounding.
func lingerEarly(linger time.Duration) time.Duration {
	return min(linger/4, 500*time.Microsecond)
}

// refuse counts an event that never entered the intake for every sink whose
// filter would have taken it. ev is a copy: filters see a pointer, and the
// caller's event must not escape to the heap on the hot path.
func (e *Engine) refuse(ev events.Event, reason sinks.DropReason) {
	if ev.EventID == "" {
		ev.EventID = events.NewID()
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = time.Now().Round(0) // what filters would have seen
	}
	for _, h := range e.hosts {
		if h.accepts(&ev) {
			h.count.refuse(reason, 1)
		}
	}
}

// Health returns a snapshot of every sink, in configuration order.
func (e *Engine) Health() []sinks.Health {
	hs := make([]sinks.Health, len(e.hosts))
	for i, h := range e.hosts {
		hs[i] = h.health()
	}
	return hs
}

// ErrClosed is returned by Flush and Resume once Close has begun.
var ErrClosed = errors.New("closed")

// ErrUnknownSink is returned by Resume for a name no sink has.
var ErrUnknownSink = errors.New("unknown sink")

// ErrNotPaused is returned by Resume for a sink its policy has not paused.
var ErrNotPaused = errors.New("sink is not paused")

// Flush returns once every event emitted before it was called has been
// delivered or dropped (and counted) by every sink, or when ctx ends.
func (e *Engine) Flush(ctx context.Context) error {
	if e.in.tail.Load()&closedBit != 0 {
		return ErrClosed
	}
	t := newTicket(e.names)
	e.root.Send(e.router, flushReq{upTo: e.in.claimed(), t: t})
	left := slices.Clone(e.names)
	for len(left) > 0 {
		select {
		case name := <-t.reply:
			left = slices.DeleteFunc(left, func(n string) bool { return n == name })
		case <-ctx.Done():
			return fmt.Errorf("flush: %d sink(s) still delivering (%v): %w", len(left), left, ctx.Err())
		}
	}
	return nil
}

// Resume un-pauses the sink named name.
func (e *Engine) Resume(name string) error {
	i := slices.Index(e.names, name)
	if i < 0 {
		return fmt.Errorf("%w: %q", ErrUnknownSink, name)
	}
	if e.in.tail.Load()&closedBit != 0 {
		return ErrClosed
	}
	h := e.hosts[i]
	if h.life.get() != sinks.Paused {
		return fmt.Errorf("%w: %s is %s", ErrNotPaused, name, h.life.get())
	}
	reply := make(chan bool, 1)
	e.root.Send(h.pid, resumeReq{reply: reply})
	select {
	case ok := <-reply:
		if !ok {
			return fmt.Errorf("%w: %s is %s", ErrNotPaused, name, h.life.get())
		}
		return nil
	case <-time.After(time.Second):
		return fmt.Errorf("%w: %s did not answer", ErrNotPaused, name)
	}
}

// deadLetter answers the requests that reached a host after it stopped.
func (e *Engine) deadLetter(msg any) {
	dl, ok := msg.(*actor.DeadLetterEvent)
	if !ok || dl.PID == nil {
		return
	}
	for _, h := range e.hosts {
		if h.pid == nil || !h.pid.Equal(dl.PID) {
			continue
		}
		switch m := dl.Message.(type) {
		case flushReq:
			m.t.done(h.index)
		case drainReq:
			h.answerDrainTo(m.reply, drainResult{sink: h.name})
		case resumeReq:
			m.reply <- false
		}
	}
}
