package engine

import (
	"cmp"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// delivery is what one sink's host decides about the events it holds: the
// bounded buffer and its overflow policy, the batch in hand, retries and
// their waits, the circuit breaker, and the count of every event. It is a
// plain state machine: it does no I/O, starts no goroutine and reads no
// clock (every method that depends on time is given now), so it is tested by
// tables. Its owner, the host actor, calls it from one goroutine.
type delivery struct {
	opts    sinks.Options
	count   *counters
	logger  *slog.Logger
	queue   heldRing // accepted, not yet in hand
	hand    []held   // the batch in hand: being written, or waiting for a retry
	spare   []held   // the last batch's slice, for the next one
	batch   []*events.Event
	writing bool // hand is being written; its outcome is pending
	retry   *supervisor.RetryState
	breaker *supervisor.Breaker
	wait    time.Time // no write before this: a retry's backoff
	arrived uint64    // events accepted so far; the next one's arrival number
	done    bool      // the sink was closed: nothing more is written
	sp      *spooled  // the sink's spool, or nil
}

// held is an event the host holds and its arrival number, which tells a
// barrier whether the event came before it.
type held struct {
	ev  *events.Event
	arr uint64
	seq uint64 // its sequence number in the spool; 0 when not spooled
}

func newDelivery(opts sinks.Options, count *counters, logger *slog.Logger, now time.Time) *delivery {
	d := &delivery{
		opts:   opts,
		count:  count,
		logger: logger,
		queue:  newHeldRing(opts.BufferSize),
		retry:  supervisor.NewRetryState(opts.Retry),
	}
	d.breaker = supervisor.NewBreaker(opts.Breaker, now, func(from, to supervisor.Circuit) {
		_, since := d.breaker.State()
		count.circuitChanged(to, since)
		logger.Warn("circuit breaker changed state", "from", from.String(), "to", to.String())
	})
	count.circuitChanged(supervisor.Closed, now)
	return d
}

// held counts the events the host holds in memory, the batch in hand (and,
// with a spool, limbo) included.
func (d *delivery) held() int {
	n := d.queue.len() + len(d.hand)
	if d.sp != nil {
		n += len(d.sp.limbo)
	}
	return n
}

// acceptBatch takes the events routed to the sink (the router counted them
// received), through the spool if the sink has one.
func (d *delivery) acceptBatch(evs []*events.Event) {
	if d.sp == nil || d.done {
		for _, ev := range evs {
			d.accept(ev)
		}
		return
	}
	d.acceptSpooled(evs)
}

// accept takes one event into memory, applying the overflow policy when the
// buffer (the batch in hand included) is full. With a spool it holds an
// event the disk refused, and drops the newest: an event the spool accepted
// is never evicted to make room.
func (d *delivery) accept(ev *events.Event) {
	arr := d.arrived
	d.arrived++
	if d.done {
		d.count.drop(sinks.DropAfterClose, 1)
		return
	}
	if d.held() >= d.opts.BufferSize {
		switch {
		case d.opts.Overflow == sinks.DropNewest || d.sp != nil:
			d.count.drop(sinks.DropOverflow, 1)
			return
		case len(d.hand) > 0 && !d.writing:
			// The batch in hand waits for a retry: its first event is the
			// oldest the host holds.
			d.count.drop(sinks.DropOverflow, 1)
			d.hand[0] = held{}
			d.hand = d.hand[1:]
			if len(d.hand) == 0 {
				d.hand = nil
			}
		case d.queue.len() > 0:
			d.count.drop(sinks.DropOverflow, 1)
			d.queue.popFront()
		default:
			// Everything held is being written: the new event is the one
			// that cannot fit.
			d.count.drop(sinks.DropOverflow, 1)
			return
		}
	}
	d.queue.push(held{ev: ev, arr: arr})
}

// next returns the batch to write now, or nil and the time at which to ask
// again (zero when only a new event or an outcome can change the answer).
// A returned batch is in flight until written or crashed reports its outcome.
func (d *delivery) next(now time.Time) ([]*events.Event, time.Time) {
	if d.writing || d.done {
		return nil, time.Time{}
	}
	if d.sp != nil && d.hand == nil {
		d.refill()
	}
	if d.hand == nil {
		n := min(d.queue.len(), d.opts.BatchSize)
		if n == 0 {
			return nil, time.Time{}
		}
		d.hand = d.spare[:0]
		d.spare = nil
		for range n {
			d.hand = append(d.hand, d.queue.popFront())
		}
		d.retry.Reset()
	}
	if now.Before(d.wait) {
		return nil, d.wait
	}
	if !d.breaker.Allow(now) {
		return nil, d.breaker.ProbeAt()
	}
	d.writing = true
	d.batch = d.batch[:0]
	for _, h := range d.hand {
		d.batch = append(d.batch, h.ev)
	}
	return d.batch, time.Time{}
}

// written records the outcome of the batch in flight: err is what the
// driver's Write returned.
func (d *delivery) written(now time.Time, err error) {
	d.writing = false
	if d.hand == nil {
		return // abandoned while in flight, and already counted
	}
	if err == nil {
		d.delivered(len(d.hand))
		d.succeeded(now)
		d.acked(d.hand)
		d.recycle()
		return
	}
	d.count.failed.Add(1)
	d.count.lastError(err, now)
	var be *sinks.BatchError
	switch {
	case errors.As(err, &be):
		d.partial(now, be)
	case sinks.IsPermanent(err):
		// The backend answered; retrying cannot help this batch.
		d.count.drop(sinks.DropPermanent, len(d.hand))
		d.logger.Error("batch dropped: permanent error", "events", len(d.hand), "error", sinks.Redact(err.Error()))
		d.acked(d.hand)
		d.recycle()
	default:
		d.retryLater(now, err)
	}
}

// crashed records that the driver panicked writing the batch in flight. The
// batch stays in hand, to be written first once the sink runs again.
func (d *delivery) crashed(now time.Time, crash *supervisor.Crash) {
	d.writing = false
	d.count.failed.Add(1)
	d.count.consecutive.Add(1)
	d.count.lastError(crash, now)
	d.breaker.Failure(now) // a probe that panicked re-opens the circuit
}

// partial keeps in hand only the failed, retryable events of a partly
// delivered batch; the rest were delivered, or failed for good.
func (d *delivery) partial(now time.Time, be *sinks.BatchError) {
	failed := slices.Clone(be.Failed)
	slices.SortStableFunc(failed, func(a, b sinks.Failure) int { return cmp.Compare(a.Index, b.Index) })
	keep := make([]held, 0, len(failed))
	var lastErr error
	permanent, last := 0, -1
	for _, f := range failed {
		if f.Index == last || f.Index < 0 || f.Index >= len(d.hand) {
			continue // a duplicate or out of range: never count an event twice
		}
		last = f.Index
		if sinks.IsPermanent(f.Err) {
			permanent++
			continue
		}
		keep = append(keep, d.hand[f.Index])
		lastErr = f.Err
	}
	d.count.drop(sinks.DropPermanent, permanent)
	d.delivered(len(d.hand) - len(keep) - permanent)
	if d.sp != nil {
		// Acknowledge what was delivered or failed for good: all but keep.
		done := make([]held, 0, len(d.hand)-len(keep))
		k := 0
		for _, h := range d.hand {
			if k < len(keep) && keep[k] == h {
				k++
				continue
			}
			done = append(done, h)
		}
		d.acked(done)
	}
	if len(keep) == 0 {
		d.succeeded(now)
		d.recycle()
		return
	}
	clear(d.hand)
	d.hand = keep
	d.retryLater(now, lastErr)
}

func (d *delivery) retryLater(now time.Time, err error) {
	d.count.consecutive.Add(1)
	d.breaker.Failure(now)
	wait, ok := d.retry.Failed(now)
	if !ok {
		d.logger.Error("batch dropped after retries ran out", "events", len(d.hand), "attempts", d.retry.Attempts(), "error", sinks.Redact(err.Error()))
		d.count.drop(sinks.DropRetriesExhausted, len(d.hand))
		d.acked(d.hand)
		d.recycle()
		return
	}
	d.wait = now.Add(wait)
}

func (d *delivery) delivered(n int) {
	d.count.delivered.Add(uint64(n))
}

func (d *delivery) succeeded(now time.Time) {
	d.count.batches.Add(1)
	d.count.consecutive.Store(0)
	d.breaker.Success(now)
	d.wait = time.Time{}
}

// acked acknowledges hs in the spool, if the sink has one.
func (d *delivery) acked(hs []held) {
	if d.sp != nil {
		d.sp.ack(hs)
	}
}

// recycle forgets the batch in hand, keeping its slice for the next one.
func (d *delivery) recycle() {
	clear(d.hand)
	d.spare = d.hand[:0]
	d.hand = nil
	clear(d.batch)
}

// settled reports whether every event that arrived before arrival number
// arr has been delivered or dropped, or, with a spool, is durable in it:
// spooled events up to lastSeq (the spool's highest when the barrier came)
// are durable or delivered, and no event held in memory only is older than
// the barrier.
func (d *delivery) settled(arr, lastSeq uint64) bool {
	if d.sp != nil {
		for _, hs := range [][]held{d.hand, d.sp.limbo} {
			for _, h := range hs {
				if h.seq == 0 && h.arr < arr {
					return false
				}
			}
		}
		for i := range d.queue.len() {
			if h := d.queue.at(i); h.seq == 0 && h.arr < arr {
				return false
			}
		}
		return lastSeq <= d.sp.log.Durable()
	}
	switch {
	case len(d.hand) > 0:
		return d.hand[0].arr >= arr
	case d.queue.len() > 0:
		return d.queue.front().arr >= arr
	}
	return true
}

// abandon drops, with reason, everything held that is not being written,
// and returns how many events that was. A batch in flight is counted when
// its outcome arrives.
func (d *delivery) abandon(reason sinks.DropReason) int {
	if d.sp != nil {
		// What the spool holds is not lost: the next bus delivers it.
		var all []held
		for d.queue.len() > 0 {
			all = append(all, d.queue.popFront())
		}
		all = append(all, d.sp.limbo...)
		d.sp.limbo = nil
		if !d.writing {
			all = append(all, d.hand...)
			d.recycle()
		}
		n := len(d.sp.keep(all))
		d.count.drop(reason, n)
		return n
	}
	n := d.queue.clear()
	if !d.writing {
		n += len(d.hand)
		d.recycle()
	}
	d.count.drop(reason, n)
	return n
}

// abandonInFlight drops the batch in flight with reason, for a Write whose
// outcome will never be known (its writer did not return in time).
func (d *delivery) abandonInFlight(reason sinks.DropReason) int {
	if !d.writing {
		return 0
	}
	hs := d.hand
	if d.sp != nil {
		hs = d.sp.keep(hs) // spooled: sent again by the next bus
	}
	n := len(hs)
	d.count.drop(reason, n)
	d.writing = false
	d.recycle()
	return n
}

// finish stops all writing: the sink has been closed. Events that arrive
// later are dropped as emitted after close.
func (d *delivery) finish() { d.done = true }

// publish stores how many events are held, for Health.
func (d *delivery) publish() { d.count.setHeld(d.held()) }

// heldRing is a FIFO of held events with a fixed capacity, so a buffer never
// grows past its bound and never allocates on the hot path.
type heldRing struct {
	items      []held
	head, size int
}

func newHeldRing(capacity int) heldRing { return heldRing{items: make([]held, capacity)} }

func (r *heldRing) len() int { return r.size }

func (r *heldRing) front() held { return r.items[r.head] }

// at returns the i-th oldest held event.
func (r *heldRing) at(i int) held { return r.items[(r.head+i)%len(r.items)] }

// push appends h; the caller makes room first.
func (r *heldRing) push(h held) {
	r.items[(r.head+r.size)%len(r.items)] = h
	r.size++
}

func (r *heldRing) popFront() held {
	h := r.items[r.head]
	r.items[r.head] = held{}
	r.head = (r.head + 1) % len(r.items)
	r.size--
	return h
}

// clear empties the ring and returns how many events it held.
func (r *heldRing) clear() int {
	n := r.size
	for r.size > 0 {
		r.popFront()
	}
	return n
}
