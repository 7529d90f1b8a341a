package engine

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/cenkalti/backoff/v4"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// host runs one sink in an actor of its own: it takes the events the router
// hands it, keeps them in its delivery state machine, gives batches to its
// writer goroutine and acts on the outcomes. Its state outlives restarts of
// the actor (protoactor re-creates the actor value, not the host), so the
// batch in hand survives a panic.
type host struct {
	index  int // in the engine's hosts, and in a flush's ticket
	name   string
	opts   sinks.Options
	logger *slog.Logger
	count  *counters
	life   lifecycle

	// Between the router and the host: chunks of events, and their slices
	// coming back for reuse. signaled is set while a wake-up is on its way.
	inbox    chan []*events.Event
	free     chan []*events.Event
	signaled atomic.Bool
	routed   atomic.Uint64 // events the router put in the inbox
	taken    atomic.Uint64 // events the host took out of it
	inboxMax uint64        // most events routed and not yet taken
	answered atomic.Bool   // the drain for Close has been answered

	// decision is handed over by the supervisor strategy, which runs on the
	// router's goroutine while the host is suspended.
	decision atomic.Pointer[supervisor.Decision]
	restarts *supervisor.Restarts // the router's: only HandleFailure touches it

	// pid is the host actor's, set by the router when it spawns it.
	pid        *actor.PID
	dispatcher *dedicated // runs the host actor

	// Owned by the host actor's goroutine.
	d        *delivery
	w        *writer
	self     *actor.PID
	root     *actor.RootContext
	timer    *time.Timer
	timerAt  time.Time
	rebuilds backoff.BackOff
	barriers []barrier
	drain    *drainState
	started  bool
	batch    []*events.Event // reused by takeInbox
}

// Messages a host handles besides the writer's outcomes.
type (
	inboxReady struct{}
	tick       struct{}
	decided    struct{}
	resumeReq  struct{ reply chan<- bool }
)

// chunkSize is the most events the router hands a host in one chunk.
const chunkSize = 64

// inboxEvents returns how many events may be in flight from the router to
// a host: about BufferSize, so that a burst the buffer could take is not lost
// on the way. It bounds memory when the host actor itself cannot keep up (it
// gets no CPU): the router then drops new events for this host, counted as
// overflow. So a sink holds at most about twice its BufferSize.
//
// The bound counts events, not chunks: at a moderate rate the router hands
// over short chunks at the end of each turn, and a bound in chunks would
// overflow with a few hundred events in flight.
//
// With a spool, BufferSize bounds only memory, so a small buffer must not
// make a small inbox: the inbox then holds at least DefaultBufferSize events.
func inboxEvents(o sinks.Options) int {
	n := o.BufferSize
	if o.Spool.Dir != "" {
		n = max(n, sinks.DefaultBufferSize)
	}
	return max(8*chunkSize, n)
}

// maxInboxChunks caps the inbox channel's capacity, which must hold
// inboxEvents chunks of one event each in the worst case; beyond the cap
// (a buffer of more than this many events) a host that gets no CPU for this
// many router turns loses the next chunk, still counted as overflow.
const maxInboxChunks = 16384

// inTransit is how many events the router has put in the inbox and the
// host has not taken yet.
func (h *host) inTransit() uint64 { return h.routed.Load() - h.taken.Load() }

// inboxChunks returns the capacity of the inbox channel for o.
func inboxChunks(o sinks.Options) int {
	return min(inboxEvents(o), maxInboxChunks)
}

func newHost(index int, s sinks.Sink, name string, opts sinks.Options, logger *slog.Logger, now time.Time) *host {
	logger = logger.With("sink", name)
	h := &host{
		index:      index,
		name:       name,
		opts:       opts,
		logger:     logger,
		count:      newCounters(),
		inbox:      make(chan []*events.Event, inboxChunks(opts)),
		inboxMax:   uint64(inboxEvents(opts)),
		free:       make(chan []*events.Event, max(8, inboxEvents(opts)/chunkSize)),
		rebuilds:   opts.Supervision.Backoff.NewBackOff(),
		restarts:   supervisor.NewRestarts(opts.Supervision),
		dispatcher: newDedicated(),
	}
	h.d = newDelivery(opts, h.count, logger, now)
	// The writer's outcome is taken on the writer's goroutine (see runHere).
	h.w = newWriter(name, s, opts.WriteTimeout, func(msg any) { h.dispatcher.runHere(func() { h.root.Send(h.self, msg) }) })
	h.w.logger = logger
	return h
}

func (h *host) props() *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return hostActor{h} }, actor.WithDispatcher(h.dispatcher))
}

// accepts reports whether the sink's filter takes ev. A filter that panics
// rejects the event; the panic is logged.
func (h *host) accepts(ev *events.Event) (ok bool) {
	if h.opts.Filter == nil {
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			ok = false
			h.logger.Error("sink filter panicked; event not routed to this sink", "panic", sinks.Redact(fmt.Sprint(r)))
		}
	}()
	return h.opts.Filter(ev)
}

type hostActor struct{ h *host }

func (a hostActor) Receive(ctx actor.Context) {
	h := a.h
	switch msg := ctx.Message().(type) {
	case inboxReady:
		h.takeInbox()
	case writeDone:
		if msg.crash != nil {
			h.d.crashed(time.Now(), msg.crash)
			h.life.crashed = true
			h.d.publish()
			// Let the supervisor decide: restart, resume or stop. The batch
			// in hand stays in the host, which outlives the actor.
			panic(msg.crash)
		}
		h.d.written(time.Now(), msg.err)
		h.drainWritten()
	case rebuilt:
		h.rebuilt(msg.err)
	case closed:
		h.closed(msg.err)
	case tick:
		h.timer = nil
	case decided:
		h.decide()
	case resumeReq:
		msg.reply <- h.resume()
	case flushReq:
		h.takeInbox()
		b := barrier{arrived: h.d.arrived, t: msg.t, index: h.index}
		if sp := h.d.sp; sp != nil {
			// A flush makes what the spool holds durable now, rather than
			// at the next periodic fsync.
			b.lastSeq = sp.lastSeq
			if err := sp.log.Sync(); err != nil {
				h.logger.Warn("spool fsync for a flush failed", "error", sinks.Redact(err.Error()))
			}
		}
		h.barriers = append(h.barriers, b)
	case drainReq:
		h.takeInbox()
		h.startDrain(msg)
	case drainDeadline:
		h.abandonDrain()
	case graceOver:
		h.graceOver()
	case *actor.Started:
		h.self, h.root = ctx.Self(), ctx.ActorSystem().Root
		if !h.started {
			h.started = true
			h.w.start() // the first start; a restart keeps the writer
		}
	case *actor.Stopping:
		h.stopping()
		return
	default:
		return
	}
	h.step()
}

// takeInbox moves every chunk the router has handed over into the delivery
// state machine, applying the sink's Transform on the way.
func (h *host) takeInbox() {
	h.signaled.Store(false)
	for {
		select {
		case chunk := <-h.inbox:
			batch := h.batch[:0]
			for _, ev := range chunk {
				if ev = h.transform(ev); ev != nil {
					batch = append(batch, ev)
				}
			}
			h.d.acceptBatch(batch)
			clear(batch)
			h.batch = batch[:0]
			h.taken.Add(uint64(len(chunk)))
			clear(chunk)
			select {
			case h.free <- chunk[:0]:
			default:
			}
		default:
			return
		}
	}
}

// transform applies Options.Transform. A transform that panics or returns
// nil drops the event for this sink (counted): sending the original instead
// could leak what the transform exists to hide.
func (h *host) transform(ev *events.Event) (out *events.Event) {
	if h.opts.Transform == nil {
		return ev
	}
	defer func() {
		if r := recover(); r != nil {
			h.logger.Error("sink transform panicked; event dropped for this sink", "panic", sinks.Redact(fmt.Sprint(r)))
			out = nil
		}
		if out == nil {
			h.count.drop(sinks.DropTransform, 1)
		}
	}()
	return h.opts.Transform(ev)
}

// step does whatever the state now allows: start a rebuild, hand the writer
// a batch, or arm the timer for the next moment something can happen; then
// it answers the barriers and the drain that are settled.
func (h *host) step() {
	now := time.Now()
	switch {
	case h.life.over():
	case h.life.crashed || h.life.rebuilding || h.life.get() == sinks.Paused:
	case now.Before(h.life.until):
		h.arm(now, h.life.until)
	case h.life.rebuild:
		h.life.rebuilding = true
		h.w.jobs <- job{rebuild: true}
	default:
		if h.d.writing {
			break
		}
		batch, at := h.d.next(now)
		switch {
		case batch != nil:
			h.w.jobs <- job{batch: batch}
		case !at.IsZero():
			h.arm(now, at)
		}
	}
	h.d.publish()
	h.settle()
}

// arm makes sure a tick arrives at at, and never sooner than a millisecond
// from now, so that no state can make the host spin.
func (h *host) arm(now, at time.Time) {
	at = maxTime(at, now.Add(time.Millisecond))
	if h.timer != nil {
		if !h.timerAt.After(at) {
			return
		}
		h.timer.Stop()
	}
	h.timerAt = at
	root, self := h.root, h.self
	h.timer = time.AfterFunc(at.Sub(now), func() { root.Send(self, tick{}) })
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// decide carries out the supervisor's decision about a panic.
func (h *host) decide() {
	d := h.decision.Swap(nil)
	if d == nil {
		return
	}
	h.life.crashed = false
	now := time.Now()
	switch {
	case d.Paused:
		h.life.set(sinks.Paused)
		h.life.rebuild = d.Directive == supervisor.Restart // a fresh start once resumed
		h.logger.Error("sink restart limit exceeded; paused until resumed", "reason", sinks.Redact(d.Reason.Error()))
	case d.Directive == supervisor.Restart:
		h.count.restarts.Add(1)
		h.life.until = now.Add(d.Delay)
		h.life.rebuild = true
		h.life.set(sinks.Restarting)
		h.rebuilds.Reset()
		h.logger.Warn("sink restarted after a panic", "delay", d.Delay, "reason", sinks.Redact(d.Reason.Error()))
	case d.Directive == supervisor.Resume:
		h.life.until = now.Add(d.Delay)
		h.logger.Warn("sink resumed after a panic", "delay", d.Delay, "reason", sinks.Redact(d.Reason.Error()))
	}
}

// rebuilt handles the writer's report on a rebuild: on success the sink
// runs again, with its batch in hand first; on failure the rebuild is tried
// again after the policy's backoff.
func (h *host) rebuilt(err error) {
	h.life.rebuilding = false
	if err != nil {
		wait := h.rebuilds.NextBackOff()
		h.life.until = time.Now().Add(wait)
		h.count.failed.Add(1)
		h.count.lastError(err, time.Now())
		h.logger.Warn("rebuilding the sink failed; trying again", "in", wait, "error", sinks.Redact(err.Error()))
		return
	}
	h.life.rebuild = false
	if h.life.get() == sinks.Restarting {
		h.life.set(sinks.Running)
	}
}

// resume un-pauses a sink its policy paused. It reports whether the sink
// was paused.
func (h *host) resume() bool {
	if h.life.get() != sinks.Paused {
		return false
	}
	h.life.set(sinks.Running)
	h.logger.Info("sink resumed")
	return true
}

// stopping runs when the actor stops: stopped by its supervisor (what the
// host holds is lost with it, and counted), or at the end of Close.
func (h *host) stopping() {
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	if h.life.get() == sinks.Finished {
		return
	}
	h.life.set(sinks.Stopped)
	held, inFlight := sinks.DropSinkStopped, sinks.DropSinkStopped
	if h.drain != nil && h.drain.expired {
		held, inFlight = sinks.DropUndelivered, sinks.DropUnconfirmed // given up on by Close
	}
	h.takeInbox()
	lost := h.d.abandon(held)
	lost += h.d.abandonInFlight(inFlight)
	h.d.finish()
	h.d.publish()
	h.logger.Error("sink stopped by its supervisor", "lost", lost)
	if err := h.closeSpool(); err != nil {
		h.logger.Warn("closing the spool failed", "error", sinks.Redact(err.Error()))
	}
	h.settle()
	h.answerDrain(drainResult{sink: h.name, err: fmt.Errorf("sink %s: stopped by its supervisor", h.name)})
	// Close the driver without waiting: the writer ends after it, and the
	// bus's Close waits for every writer. jobs has room: the host never has
	// more than one other job outstanding.
	ctx, cancel := context.WithTimeout(context.Background(), h.opts.WriteTimeout)
	h.w.jobs <- job{close: ctx, cancel: cancel}
}

// closeSpool closes the sink's spool, once: what it holds waits for the
// next bus on the same directory.
func (h *host) closeSpool() error {
	sp := h.d.sp
	if sp == nil || sp.closed {
		return nil
	}
	sp.closed = true
	if err := sp.log.Close(); err != nil {
		return fmt.Errorf("sink %s: closing its spool: %w", h.name, err)
	}
	if n := h.count.onDisk.Load(); n > 0 {
		h.logger.Info("events left in the spool for the next bus", "events", n, "dir", sp.dir)
	}
	return nil
}

// health returns a snapshot of the sink's state and figures.
func (h *host) health() sinks.Health {
	c := h.count
	inTransit := int64(h.inTransit())
	hl := sinks.Health{
		Name:                h.name,
		State:               h.life.get(),
		Circuit:             supervisor.Circuit(c.circuit.Load()),
		CircuitSince:        time.Unix(0, c.since.Load()).UTC(),
		Received:            c.received.Load(),
		Delivered:           c.delivered.Load(),
		Batches:             c.batches.Load(),
		FailedAttempts:      c.failed.Load(),
		ConsecutiveFailures: int(c.consecutive.Load()),
		Dropped:             make(map[string]uint64, len(c.dropped)),
		Buffered:            int(c.held.Load() + inTransit),
		BufferedHighWater:   int(c.highWater.Load()),
		Restarts:            c.restarts.Load(),
	}
	if sp := h.d.sp; sp != nil { // set before the host starts, never changed
		hl.Spool = sp.health()
		hl.Buffered += int(c.onDisk.Load())
	}
	for i := range c.dropped {
		hl.Dropped[sinks.DropReason(i).String()] = c.dropped[i].Load()
	}
	if e := c.lastErr.Load(); e != nil {
		hl.LastError, hl.LastErrorAt = e.text, e.at.UTC()
	}
	return hl
}
