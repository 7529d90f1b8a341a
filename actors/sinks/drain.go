package sinks

import (
	"context"
	"fmt"
	"time"
)

// startDrain begins delivering everything the host holds before its sink is
// closed. Partial batches go out at once; the breaker and retry waits still
// apply, so a dead backend holds the drain until the deadline.
func (h *Host) startDrain(d *Drain) {
	if h.finished || h.draining != nil {
		h.AnswerDrain(d, DrainResult{Sink: h.name})
		return
	}
	h.draining = d
	if h.paused {
		// Nothing will resume a paused sink once Close has begun: give up on
		// what it holds now rather than at the deadline.
		h.abandon()
		return
	}
	root, self, done := h.root, h.self, h.writeCtx.Done()
	go func() {
		select {
		case <-d.Ctx.Done():
			root.Send(self, drainDeadline{})
		case <-done: // finish cancels writeCtx
		}
	}()
	h.dispatch(true)
	h.maybeFinishDrain()
}

func (h *Host) maybeFinishDrain() {
	if h.draining == nil || h.finished || h.writing || h.inflight != nil || h.buf.len() > 0 {
		return
	}
	d := h.draining
	h.AnswerDrain(d, DrainResult{Sink: h.name, Err: h.finish(d.Ctx)})
}

// AnswerDrain sends r on d's reply channel unless this host has answered a
// drain already. The host answers when its drain ends; the router answers for
// a host that stopped before it could.
func (h *Host) AnswerDrain(d *Drain, r DrainResult) {
	if h.drainAnswered.CompareAndSwap(false, true) {
		d.Reply <- r
	}
}

// abandon ends a drain whose deadline passed: what is buffered is dropped and
// counted, and an in-flight Write is cancelled.
func (h *Host) abandon() {
	if h.draining == nil || h.finished {
		return
	}
	d := h.draining
	undelivered := h.buf.clear()
	h.drop(DropClosed, undelivered)
	if !h.writing {
		h.drop(DropClosed, len(h.inflight))
	}
	// A batch still being written is counted when its result arrives (see
	// written): it may yet be delivered.
	undelivered += len(h.inflight)
	if !h.writing {
		h.inflight = nil
	}
	h.buffered.Store(int64(len(h.inflight)))
	err := h.finish(d.Ctx)
	switch {
	case err != nil:
	case d.Ctx.Err() != nil:
		err = fmt.Errorf("sink %s: %w", h.name, d.Ctx.Err())
	case undelivered > 0:
		err = fmt.Errorf("sink %s: paused by its supervision policy", h.name)
	}
	h.AnswerDrain(d, DrainResult{Sink: h.name, Undelivered: undelivered, Err: err})
}

// finish stops intake and closes the sink through the writer goroutine, after
// any Write in progress, waiting until ctx ends at the latest.
func (h *Host) finish(ctx context.Context) error {
	h.finished = true
	if State(h.state.Load()) != Stopped {
		h.state.Store(int32(Closed))
	}
	if h.timer != nil {
		h.timer.Stop()
		h.timer = nil
	}
	if h.writing {
		h.cancel()
	}
	req := &closeRequest{ctx: ctx, done: make(chan error, 1)}
	h.writerOnce.Do(func() { go h.writer() })
	h.work <- writeRequest{close: req}
	var err error
	if ctx.Err() != nil {
		// Give a driver whose deadline already passed a moment to drop its
		// connections, so that no goroutine of it outlives Close.
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		err = waitClose(ctx, req)
	} else {
		err = waitClose(ctx, req)
	}
	h.cancel()
	return err
}

func waitClose(ctx context.Context, req *closeRequest) error {
	select {
	case err := <-req.done:
		if err != nil {
			return fmt.Errorf("closing sink: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("closing sink: %w", ctx.Err())
	}
}
