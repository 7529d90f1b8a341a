package sinktest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// Retry is how Deliver retries, as a host would with a short backoff.
type Retry struct {
	// WriteTimeout bounds each Write, as the host's Options.WriteTimeout
	// does. Default sinks.DefaultWriteTimeout.
	WriteTimeout time.Duration
	// Pause is the wait between two attempts. Default 20ms.
	Pause time.Duration
}

// Deliver writes batch as a host does until it is delivered: after a plain
// error it writes the whole batch again, after a *sinks.BatchError only the
// events it lists, in batch order (a new batch, whose indexes the next
// error refers to), pausing between attempts. It returns how many Writes
// failed, and nil once everything is delivered; an error when one is
// permanent, when a BatchError does not describe the batch it came from
// (an index out of range, out of order or listed twice), or when ctx ends
// first, with what was still undelivered.
//
// Drivers' own fault tests use it to retry as the host would.
func Deliver(ctx context.Context, s sinks.Sink, batch []*events.Event, r Retry) (failed int, err error) {
	if r.WriteTimeout <= 0 {
		r.WriteTimeout = sinks.DefaultWriteTimeout
	}
	if r.Pause <= 0 {
		r.Pause = 20 * time.Millisecond
	}
	pending := batch
	for {
		wctx, cancel := context.WithTimeout(ctx, r.WriteTimeout)
		err = s.Write(wctx, pending)
		cancel()
		if err == nil {
			return failed, nil
		}
		failed++
		if sinks.IsPermanent(err) {
			return failed, fmt.Errorf("%d events failed permanently: %w", len(pending), err)
		}
		var be *sinks.BatchError
		if errors.As(err, &be) {
			if bad := checkBatchError(be, len(pending)); bad != "" {
				return failed, fmt.Errorf("the BatchError of a Write of %d events %s", len(pending), bad)
			}
			next := make([]*events.Event, 0, len(be.Failed))
			for _, f := range be.Failed {
				if sinks.IsPermanent(f.Err) {
					return failed, fmt.Errorf("event %d failed permanently: %w", f.Index, f.Err)
				}
				next = append(next, pending[f.Index])
			}
			pending = next
		}
		select {
		case <-ctx.Done():
			return failed, fmt.Errorf("%d events still undelivered after %d failed Writes: %w", len(pending), failed, errors.Join(ctx.Err(), err))
		case <-time.After(r.Pause):
		}
	}
}

// checkBatchError says what is wrong with a BatchError returned by a Write
// of n events, or "": its indexes must be positions in that batch, in
// ascending order, each once, each with an error.
func checkBatchError(be *sinks.BatchError, n int) string {
	if len(be.Failed) == 0 {
		return "lists no failed event"
	}
	last := -1
	for _, f := range be.Failed {
		switch {
		case f.Index < 0 || f.Index >= n:
			return fmt.Sprintf("lists index %d, outside the batch (0 to %d)", f.Index, n-1)
		case f.Index <= last:
			return fmt.Sprintf("lists index %d after %d: indexes must ascend, each once", f.Index, last)
		case f.Err == nil:
			return fmt.Sprintf("lists index %d without an error", f.Index)
		}
		last = f.Index
	}
	return ""
}
