package sinks

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// Host runs one Sink in an actor of its own. The bus spawns each host as a
// supervised child of its router; Host is exported for that purpose and for
// tests, and users never need it.
//
// The actor never performs I/O: it moves events from its mailbox into a
// bounded buffer and hands batches to a writer goroutine that calls the
// driver, one Write at a time. So a slow or dead backend never stops the
// actor from taking events, applying the overflow policy and answering Close,
// and the mailbox never grows behind a blocked Write. All the state that
// matters (buffer, batch in hand, breaker, counters) lives in the Host, not in
// the actor instance, so it survives a restart.
type Host struct {
	name   string
	sink   Sink
	opts   Options
	logger *slog.Logger

	// Touched only from the actor's goroutine.
	buf        ring
	inflight   []*events.Event // the batch in hand: being written, or waiting for a retry
	spare      []*events.Event // a recycled batch slice
	writing    bool            // the writer goroutine has inflight
	crashed    bool            // the driver panicked; no writes until the supervisor decides
	paused     bool
	retry      *supervisor.RetryState
	breaker    *supervisor.Breaker
	notBefore  time.Time // restart backoff or retry wait
	timer      *time.Timer
	timerAt    time.Time
	draining   *Drain
	mailbox    actor.Mailbox
	self       *actor.PID
	root       *actor.RootContext
	writerOnce sync.Once
	work       chan writeRequest
	writeCtx   context.Context // cancelled when Close gives up on an in-flight Write
	cancel     context.CancelFunc
	finished   bool

	// Read by Health from any goroutine.
	state               atomic.Int32
	routed              atomic.Uint64 // events the router sent to the actor
	taken               atomic.Uint64 // events the actor took from its mailbox
	received            atomic.Uint64
	delivered           atomic.Uint64
	batches             atomic.Uint64
	failed              atomic.Uint64
	restarts            atomic.Uint64
	dropped             [numDropReasons]atomic.Uint64
	buffered            atomic.Int64
	highWater           atomic.Int64
	consecutiveFailures atomic.Int64
	circuit             atomic.Int32
	circuitSince        atomic.Int64
	lastErr             atomic.Pointer[errorRecord]
	decision            atomic.Pointer[supervisor.Decision]
	drainAnswered       atomic.Bool
}

type errorRecord struct {
	text string
	at   time.Time
}

// NewHost validates opts and returns a host for s. name must be unique within
// a bus; logger may be nil.
func NewHost(s Sink, name string, opts Options, logger *slog.Logger) (*Host, error) {
	if s == nil {
		return nil, fmt.Errorf("%w: sink %q is nil", ErrInvalidConfig, name)
	}
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("sink %q: %w", name, err)
	}
	if opts.BatchSize == 0 && opts.BufferSize > 0 && opts.BufferSize < DefaultBatchSize {
		opts.BatchSize = opts.BufferSize
	}
	opts = opts.WithDefaults()
	if opts.BatchSize > opts.BufferSize {
		return nil, fmt.Errorf("sink %q: %w: BatchSize %d exceeds BufferSize %d", name, ErrInvalidConfig, opts.BatchSize, opts.BufferSize)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	h := &Host{
		name:   name,
		sink:   s,
		opts:   opts,
		logger: logger.With("sink", name),
		buf:    newRing(opts.BufferSize),
		retry:  supervisor.NewRetryState(opts.Retry),
		work:   make(chan writeRequest, 1),
	}
	h.writeCtx, h.cancel = context.WithCancel(context.Background())
	now := time.Now()
	h.breaker = supervisor.NewBreaker(opts.Breaker, now, h.circuitChanged)
	h.circuitSince.Store(now.UnixNano())
	return h, nil
}

// Name returns the host's unique name.
func (h *Host) Name() string { return h.name }

// Accepts reports whether the sink's filter accepts ev. A filter that panics
// is treated as rejecting the event, and the panic is logged.
func (h *Host) Accepts(ev *events.Event) (ok bool) {
	if h.opts.Filter == nil {
		return true
	}
	defer func() {
		if r := recover(); r != nil {
			ok = false
			h.logger.Error("sink filter panicked; event not routed to this sink", "panic", r)
		}
	}()
	return h.opts.Filter(ev)
}

// Refuse counts an event meant for this sink that never reached the host,
// for example one emitted after Close or after the sink stopped.
func (h *Host) Refuse(reason DropReason) {
	h.received.Add(1)
	h.dropped[reason].Add(1)
}

// Routed records that the router sent n events to the host's actor, as one
// *events.Event or as a []*events.Event of n. When the actor stops, events
// still in its mailbox are counted as dropped, not lost.
func (h *Host) Routed(n int) { h.routed.Add(uint64(n)) }

// Stopped reports whether the host was stopped by its supervisor.
func (h *Host) Stopped() bool { return State(h.state.Load()) == Stopped }

// Props returns the protoactor props that spawn this host's actor.
func (h *Host) Props() *actor.Props {
	return actor.PropsFromProducer(
		func() actor.Actor { return hostActor{h} },
		actor.WithMailbox(func() actor.Mailbox {
			mb := actor.Unbounded()()
			h.mailbox = mb
			return mb
		}),
	)
}

// Strategy returns the supervisor strategy for this host's policy. The bus's
// router applies it when this host's actor fails.
func (h *Host) Strategy() actor.SupervisorStrategy {
	return h.opts.Supervision.Strategy(func(_ *actor.PID, d supervisor.Decision) {
		switch {
		case d.Directive == supervisor.Stop:
			h.state.Store(int32(Stopped))
		case d.Paused:
			h.state.Store(int32(Paused))
		case d.Directive == supervisor.Restart:
			h.state.Store(int32(Restarting))
		}
		h.decision.Store(&d)
		if d.Directive != supervisor.Stop && h.root != nil {
			// Queued behind the events already in the mailbox; until it is
			// handled the host writes nothing.
			h.root.Send(h.self, supervised{})
		}
		if d.GaveUp {
			h.logger.Error("sink restart limit exceeded", "paused", d.Paused, "reason", d.Reason)
		}
	})
}

// Messages the host actor handles besides events.
type (
	// Drain asks the host to deliver everything it holds, then close its
	// sink. The host answers on Reply once, by Ctx's end at the latest.
	Drain struct {
		Ctx   context.Context
		Reply chan<- DrainResult
	}
	// Resume restarts writing on a host paused by its supervision policy.
	Resume struct{}

	supervised struct{}
	wake       struct{}
	writeDone  struct {
		err   error
		crash *supervisor.Crash
	}
	drainDeadline struct{}
)

// DrainResult is a host's answer to Drain.
type DrainResult struct {
	// Sink is the host's name.
	Sink string
	// Undelivered counts the events the host dropped because the deadline
	// passed before they were delivered.
	Undelivered int
	// Err is the sink's Close error, or why the drain ended early.
	Err error
}

type hostActor struct{ h *Host }

func (a hostActor) Receive(ctx actor.Context) {
	h := a.h
	switch msg := ctx.Message().(type) {
	case *events.Event:
		h.took(1)
		h.add(msg)
		h.held()
		h.dispatch(h.mailbox != nil && h.mailbox.UserMessageCount() == 0)
	case []*events.Event:
		h.took(len(msg))
		for _, ev := range msg {
			h.add(ev)
		}
		h.held()
		h.dispatch(h.mailbox != nil && h.mailbox.UserMessageCount() == 0)
	case writeDone:
		h.written(msg)
	case wake:
		h.timer = nil
		if State(h.state.Load()) == Restarting && !time.Now().Before(h.notBefore) {
			h.state.Store(int32(Running))
		}
		h.dispatch(true)
	case supervised:
		h.applyDecision()
	case *Drain:
		h.startDrain(msg)
	case drainDeadline:
		h.abandon()
	case Resume:
		if h.paused {
			h.paused = false
			h.state.Store(int32(Running))
			h.logger.Info("sink resumed")
			h.dispatch(true)
		}
	case *actor.Started:
		h.started(ctx)
	case *actor.Stopping:
		h.stopping()
	}
}

func (h *Host) started(ctx actor.Context) {
	h.self, h.root = ctx.Self(), ctx.ActorSystem().Root
	h.writerOnce.Do(func() { go h.writer() })
}

// took counts n events taken from the mailbox, once per message.
func (h *Host) took(n int) {
	h.taken.Add(uint64(n))
	h.received.Add(uint64(n))
}

// held publishes how many events the host holds, once per message.
func (h *Host) held() {
	n := int64(h.buf.len() + len(h.inflight))
	h.buffered.Store(n)
	if n > h.highWater.Load() {
		h.highWater.Store(n)
	}
}

// add takes an event into the buffer, applying the overflow policy; the
// caller counts it (took) and publishes the new level (held).
func (h *Host) add(ev *events.Event) {
	if h.finished {
		h.dropped[DropClosed].Add(1)
		return
	}
	if h.buf.len()+len(h.inflight) >= h.opts.BufferSize {
		h.dropped[DropOverflow].Add(1)
		switch {
		case h.opts.Overflow == DropNewest:
			return
		case len(h.inflight) > 0 && !h.writing:
			// The batch in hand is waiting for a retry: its first event is
			// the oldest the host holds.
			h.inflight[0] = nil
			h.inflight = h.inflight[1:]
			if len(h.inflight) == 0 {
				h.inflight = nil
			}
		case h.buf.len() > 0:
			h.buf.popFront()
		default:
			return // all it holds is being written: the new event is the one to go
		}
	}
	h.buf.push(ev)
}

// dispatch hands the next batch to the writer if everything allows it. A
// partial batch goes out only when flush is set (the mailbox ran empty, a
// timer fired, or the host is draining); otherwise a timer bounds its wait.
func (h *Host) dispatch(flush bool) {
	if h.writing || h.crashed || h.paused || h.finished || State(h.state.Load()) == Stopped {
		return
	}
	if h.inflight == nil {
		n := h.buf.len()
		if n == 0 {
			return
		}
		if n < h.opts.BatchSize && !flush && h.draining == nil {
			if h.timer == nil {
				h.arm(time.Now(), h.opts.MaxBatchDelay)
			}
			return
		}
		batch := h.spare[:0]
		h.spare = nil
		if cap(batch) < min(n, h.opts.BatchSize) {
			batch = make([]*events.Event, 0, h.opts.BatchSize)
		}
		batch = batch[:min(n, h.opts.BatchSize)]
		h.buf.popInto(batch)
		h.inflight = batch
		h.retry.Reset()
	}
	// The healthy path needs no clock: no wait is pending and the circuit
	// is closed.
	if circuit, _ := h.breaker.State(); !h.notBefore.IsZero() || circuit != supervisor.Closed {
		now := time.Now()
		if now.Before(h.notBefore) {
			h.arm(now, h.notBefore.Sub(now))
			return
		}
		if !h.breaker.Allow(now) {
			h.arm(now, h.breaker.ProbeAt().Sub(now))
			return
		}
	}
	h.writing = true
	h.work <- writeRequest{batch: h.inflight}
}

// arm makes sure the host is woken within wait of now, and never sooner
// than a millisecond from now, so that no state can make it spin.
func (h *Host) arm(now time.Time, wait time.Duration) {
	at := now.Add(max(wait, time.Millisecond))
	if h.timer != nil {
		if !h.timerAt.After(at) {
			return
		}
		h.timer.Stop()
	}
	h.timerAt = at
	root, self := h.root, h.self
	h.timer = time.AfterFunc(at.Sub(now), func() { root.Send(self, wake{}) })
}

// written handles the writer's result for the batch in hand.
func (h *Host) written(r writeDone) {
	h.writing = false
	now := time.Now()
	if h.finished {
		// The result of a Write that Close stopped waiting for.
		if r.err == nil && r.crash == nil {
			h.delivered.Add(uint64(len(h.inflight)))
		} else {
			h.drop(DropClosed, len(h.inflight))
		}
		h.inflight = nil
		h.buffered.Store(0)
		return
	}
	switch {
	case r.crash != nil:
		h.failure(now, r.crash)
		h.crashed = true
		// Let the supervisor decide: restart, resume or stop. The batch in
		// hand stays in the Host, which outlives the actor instance.
		panic(r.crash)
	case r.err == nil:
		h.delivered.Add(uint64(len(h.inflight)))
		h.batches.Add(1)
		h.success(now)
		h.recycle()
	default:
		h.failed.Add(1)
		h.recordError(now, r.err)
		var be *BatchError
		if errors.As(r.err, &be) {
			h.partial(now, be)
		} else if IsPermanent(r.err) {
			// The backend answered; retrying cannot help this batch.
			h.drop(DropPermanent, len(h.inflight))
			h.recycle()
		} else {
			h.retryLater(now, r.err)
		}
	}
	h.buffered.Store(int64(h.buf.len() + len(h.inflight)))
	h.dispatch(true)
	h.maybeFinishDrain()
}

// partial keeps only the failed, retryable events of the batch in hand; the
// others were delivered, or failed for good and are dropped.
func (h *Host) partial(now time.Time, be *BatchError) {
	batch := h.inflight
	failed := slices.Clone(be.Failed)
	slices.SortStableFunc(failed, func(a, b Failure) int { return cmp.Compare(a.Index, b.Index) })
	keep := make([]*events.Event, 0, len(failed))
	var lastErr error
	permanent, last := 0, -1
	for _, f := range failed {
		if f.Index == last || f.Index < 0 || f.Index >= len(batch) {
			continue // a duplicate or out of range: ignore rather than double count
		}
		last = f.Index
		if IsPermanent(f.Err) {
			permanent++
			continue
		}
		keep = append(keep, batch[f.Index])
		lastErr = f.Err
	}
	h.drop(DropPermanent, permanent)
	h.delivered.Add(uint64(len(batch) - len(keep) - permanent))
	if len(keep) == 0 {
		h.batches.Add(1)
		h.success(now)
		h.recycle()
		return
	}
	h.inflight = keep
	h.retryLater(now, lastErr)
}

func (h *Host) retryLater(now time.Time, err error) {
	h.consecutiveFailures.Add(1)
	h.breaker.Failure(now)
	wait, ok := h.retry.Failed(now)
	if !ok {
		h.logger.Warn("batch dropped after retries ran out", "events", len(h.inflight), "attempts", h.retry.Attempts(), "error", Redact(err.Error()))
		h.drop(DropRetriesExhausted, len(h.inflight))
		h.recycle()
		return
	}
	h.notBefore = now.Add(wait)
}

func (h *Host) success(now time.Time) {
	h.consecutiveFailures.Store(0)
	h.breaker.Success(now)
	h.notBefore = time.Time{}
}

// failure records a crashed attempt: like any failed attempt it counts with
// the breaker, which also ends a half-open probe that panicked.
func (h *Host) failure(now time.Time, err error) {
	h.failed.Add(1)
	h.consecutiveFailures.Add(1)
	h.breaker.Failure(now)
	h.recordError(now, err)
}

func (h *Host) recordError(now time.Time, err error) {
	h.lastErr.Store(&errorRecord{text: Redact(err.Error()), at: now})
}

func (h *Host) drop(reason DropReason, n int) {
	if n > 0 {
		h.dropped[reason].Add(uint64(n))
	}
}

// recycle forgets the batch in hand, keeping its slice for the next one.
func (h *Host) recycle() {
	clear(h.inflight)
	h.spare = h.inflight[:0]
	h.inflight = nil
}

func (h *Host) applyDecision() {
	d := h.decision.Swap(nil)
	if d == nil {
		return
	}
	h.crashed = false
	switch {
	case d.Paused:
		h.paused = true
	case d.Directive == supervisor.Restart:
		h.restarts.Add(1)
		h.notBefore = time.Now().Add(d.Delay)
		h.logger.Warn("sink restarted after a panic", "delay", d.Delay, "reason", d.Reason)
	case d.Directive == supervisor.Resume:
		h.notBefore = time.Now().Add(d.Delay)
		h.logger.Warn("sink resumed after a panic", "delay", d.Delay, "reason", d.Reason)
	}
	h.dispatch(true)
}

func (h *Host) circuitChanged(from, to supervisor.Circuit) {
	now := time.Now()
	h.circuit.Store(int32(to))
	h.circuitSince.Store(now.UnixNano())
	h.logger.Warn("circuit breaker changed state", "from", from.String(), "to", to.String())
}

func (h *Host) stopping() {
	reason := DropSinkStopped
	if h.finished {
		reason = DropClosed
	}
	// A stopping actor abandons its mailbox: count what was left in it.
	if lost := h.routed.Load() - h.taken.Load(); lost > 0 {
		h.received.Add(lost)
		h.dropped[reason].Add(lost)
	}
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	if h.finished && h.writing {
		// Close gave up on this Write and the bus is stopping the host: the
		// batch was never confirmed.
		h.drop(DropClosed, len(h.inflight))
		h.inflight = nil
		h.buffered.Store(0)
	}
	if !h.finished {
		// Stopped by the supervisor: what the host holds is lost with it.
		h.state.Store(int32(Stopped))
		lost := h.buf.clear() + len(h.inflight)
		h.drop(DropSinkStopped, lost)
		if h.draining != nil {
			h.AnswerDrain(h.draining, DrainResult{Sink: h.name, Undelivered: lost,
				Err: fmt.Errorf("sink %s: stopped by its supervisor during Close", h.name)})
		}
		h.inflight = nil
		h.buffered.Store(0)
		// Close the driver, but never let a hung one hold the actor.
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.WriteTimeout)
		defer cancel()
		if err := h.finish(ctx); err != nil {
			h.logger.Warn("closing a stopped sink failed", "error", Redact(err.Error()))
		}
	}
}

// Health returns a snapshot of the host's state and counters.
func (h *Host) Health() Health {
	hl := Health{
		Name:                h.name,
		State:               State(h.state.Load()),
		Circuit:             supervisor.Circuit(h.circuit.Load()).String(),
		CircuitSince:        time.Unix(0, h.circuitSince.Load()).UTC(),
		Received:            h.received.Load(),
		Delivered:           h.delivered.Load(),
		Batches:             h.batches.Load(),
		FailedAttempts:      h.failed.Load(),
		ConsecutiveFailures: int(h.consecutiveFailures.Load()),
		Dropped:             make(map[string]uint64, numDropReasons),
		Buffered:            int(h.buffered.Load()),
		BufferedHighWater:   int(h.highWater.Load()),
		Restarts:            h.restarts.Load(),
	}
	for i := range h.dropped {
		hl.Dropped[DropReason(i).String()] = h.dropped[i].Load()
	}
	if e := h.lastErr.Load(); e != nil {
		hl.LastError, hl.LastErrorAt = e.text, e.at.UTC()
	}
	return hl
}

// writeRequest is work for the writer goroutine: a batch, or the final Close.
type writeRequest struct {
	batch []*events.Event
	close *closeRequest
}

type closeRequest struct {
	ctx  context.Context
	done chan error
}

// writer is the only goroutine that calls the driver. It runs from the host's
// first start until Close, and survives actor restarts.
func (h *Host) writer() {
	for req := range h.work {
		if req.close != nil {
			req.close.done <- h.sink.Close(req.close.ctx)
			return
		}
		err, crash := h.write(req.batch)
		h.root.Send(h.self, writeDone{err: err, crash: crash})
	}
}

func (h *Host) write(batch []*events.Event) (err error, crash *supervisor.Crash) {
	ctx, cancel := context.WithTimeout(h.writeCtx, h.opts.WriteTimeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			crash = &supervisor.Crash{Sink: h.name, Value: r, Stack: debug.Stack()}
		}
	}()
	return h.sink.Write(ctx, batch), nil
}
