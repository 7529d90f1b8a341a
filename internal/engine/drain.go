package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Flush and Close share one protocol, readable here from end to end.
//
//  1. The caller notes the intake's position upTo: every event emitted before
//     the call sits before it. Close also seals the intake first, so nothing
//     lands after it.
//  2. The router takes events until it has read past upTo, hands each host
//     the chunks it gathered, and then sends every host that still runs the
//     request (flushReq or drainReq). A host takes its inbox before acting
//     on the request, so everything routed before the request is in its
//     state machine by then.
//  3. A host answers a flush once nothing that arrived before it is held
//     (delivered, or dropped and counted). It answers a drain once it holds
//     nothing and its driver is closed; if the drain's context ends first,
//     it drops what it holds (undelivered_at_close), interrupts the Write in
//     flight, waits a short grace for its outcome, closes the driver, and
//     answers.
//  4. A host that stopped cannot answer: the router answers for it when it
//     learns the host terminated, and a request sent to a host already gone
//     comes back as a dead letter, answered by the engine. Each request is
//     answered once per host, whoever answers it.

// closeGrace bounds each of the two waits a host allows a driver once the
// Close context has ended: for the interrupted Write to return, and for the
// driver's Close.
const closeGrace = 250 * time.Millisecond

// ticket collects one flush's answers: one per host, once each.
type ticket struct {
	answered []atomic.Bool
	left     atomic.Int32
	reply    chan string
	names    []string
}

func newTicket(names []string) *ticket {
	t := &ticket{answered: make([]atomic.Bool, len(names)), reply: make(chan string, len(names)), names: names}
	t.left.Store(int32(len(names)))
	return t
}

// done records host i's answer; later answers for the same host are ignored.
func (t *ticket) done(i int) {
	if t.answered[i].CompareAndSwap(false, true) {
		t.left.Add(-1)
		t.reply <- t.names[i]
	}
}

func (t *ticket) complete() bool { return t.left.Load() == 0 }

// flushReq asks the router, then each host, to report once what came before
// upTo is settled.
type flushReq struct {
	upTo uint64
	t    *ticket
}

// barrier is a flush a host has yet to answer.
type barrier struct {
	arrived uint64 // the host's arrival count when the flush reached it
	lastSeq uint64 // with a spool: its highest sequence number then
	t       *ticket
	index   int
}

// settle answers every barrier whose events are settled, and the drain if
// the host holds nothing more.
func (h *host) settle() {
	keep := h.barriers[:0]
	for _, b := range h.barriers {
		if h.life.over() || h.d.settled(b.arrived, b.lastSeq) {
			b.t.done(b.index)
			continue
		}
		keep = append(keep, b)
	}
	clear(h.barriers[len(keep):])
	h.barriers = keep
	if dr := h.drain; dr != nil && !dr.closing && !h.d.writing && h.d.held() == 0 && !h.life.rebuilding {
		h.closeDriver()
	}
}

// drainReq asks the router, then each host, to deliver everything emitted
// before upTo and close the sinks, by ctx's end.
type drainReq struct {
	upTo  uint64
	ctx   context.Context
	reply chan<- drainResult
}

// drainResult is a host's answer to a drain.
type drainResult struct {
	sink string
	err  error // the driver's Close error, or why the drain ended early
}

// drainState is a drain the host is working on.
type drainState struct {
	ctx         context.Context
	reply       chan<- drainResult
	expired     bool        // ctx ended: what is held has been dropped
	interrupted bool        // the Write in flight when ctx ended was interrupted
	closing     bool        // the driver's Close has been asked for
	stop        func() bool // stops the deadline's AfterFunc
	graceFor    string      // what the grace timer waits for: "write" or "close"
}

// Messages of the drain's deadline.
type (
	drainDeadline struct{}
	graceOver     struct{}
)

func (h *host) startDrain(r drainReq) {
	if h.drain != nil || h.life.over() {
		h.answerDrainTo(r.reply, drainResult{sink: h.name})
		return
	}
	paused := h.life.get() == sinks.Paused
	h.drain = &drainState{ctx: r.ctx, reply: r.reply}
	h.life.set(sinks.Draining)
	if paused {
		// Nothing can resume a paused sink once Close has begun: give up on
		// what it holds now rather than at the deadline.
		h.abandonDrain()
		return
	}
	root, self := h.root, h.self
	h.drain.stop = context.AfterFunc(r.ctx, func() { root.Send(self, drainDeadline{}) })
}

// abandonDrain ends a drain whose context ended: what is held is dropped,
// and a Write in flight is interrupted and given a grace to return.
func (h *host) abandonDrain() {
	dr := h.drain
	if dr == nil || dr.expired || dr.closing {
		return
	}
	dr.expired = true
	if n := h.d.abandon(sinks.DropUndelivered); n > 0 {
		h.logger.Warn("sink closed with undelivered events", "undelivered", n)
	}
	if h.d.writing {
		h.w.interrupt()
		dr.interrupted = true
		dr.graceFor = "write"
		h.armGrace()
		return
	}
	h.closeDriver()
}

// drainWritten follows a Write's outcome during an expired drain: what it
// did not confirm is dropped, as unconfirmed if Close interrupted that Write
// (the backend may have stored it), and the driver is closed.
func (h *host) drainWritten() {
	dr := h.drain
	if dr == nil || !dr.expired || dr.closing {
		return
	}
	reason := sinks.DropUndelivered
	if dr.interrupted {
		reason = sinks.DropUnconfirmed
	}
	if n := h.d.abandon(reason); n > 0 {
		h.logger.Warn("sink closed without confirming every event", "events", n, "reason", reason.String())
	}
	h.closeDriver()
}

// graceOver ends a wait for a driver that did not return in time.
func (h *host) graceOver() {
	dr := h.drain
	if dr == nil {
		return
	}
	switch dr.graceFor {
	case "write":
		if h.d.writing {
			n := h.d.abandonInFlight(sinks.DropUnconfirmed)
			h.logger.Error("driver did not return from an interrupted Write; its batch is counted unconfirmed", "events", n, "grace", closeGrace)
		}
		h.closeDriver()
	case "close":
		h.finished(fmt.Errorf("sink %s: driver did not return from Close within %v of the deadline", h.name, closeGrace))
	}
}

// closeDriver asks the writer to close the driver, after anything it is
// doing now. Once the drain's context has ended, the driver gets a short
// grace of its own, so that it can still drop its connections and leave no
// goroutine behind.
func (h *host) closeDriver() {
	dr := h.drain
	dr.closing = true
	h.d.finish()
	if !dr.expired && dr.ctx.Err() == nil {
		h.w.jobs <- job{close: dr.ctx}
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(dr.ctx), closeGrace)
	h.w.jobs <- job{close: ctx, cancel: cancel}
	dr.graceFor = "close"
	h.armGrace()
}

func (h *host) armGrace() {
	root, self := h.root, h.self
	time.AfterFunc(closeGrace, func() { root.Send(self, graceOver{}) })
}

// closed handles the driver's Close having returned.
func (h *host) closed(err error) {
	if serr := h.closeSpool(); serr != nil {
		err = errors.Join(err, serr)
	}
	if h.drain == nil {
		return // closed after a stop: nobody waits for it
	}
	if err != nil {
		err = fmt.Errorf("sink %s: close: %w", h.name, err)
	}
	h.finished(err)
}

func (h *host) finished(err error) {
	if h.life.get() == sinks.Finished {
		return
	}
	h.life.set(sinks.Finished)
	if h.drain.stop != nil {
		h.drain.stop()
	}
	if err == nil && h.drain.expired {
		err = fmt.Errorf("sink %s: %w", h.name, context.Cause(h.drain.ctx))
	}
	h.d.publish()
	h.answerDrain(drainResult{sink: h.name, err: err})
}

func (h *host) answerDrain(r drainResult) {
	if h.drain != nil {
		h.answerDrainTo(h.drain.reply, r)
	}
}

// answerDrainTo answers the Close drain once, whoever calls it.
func (h *host) answerDrainTo(reply chan<- drainResult, r drainResult) {
	if h.answered.CompareAndSwap(false, true) {
		reply <- r
	}
}
