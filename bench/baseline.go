package main

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// The raw baselines do the work of the bus with a client alone: make each
// event (a new id, the current time), encode it in the wire format, and send
// it as the sink would, with the same batch size or confirm window. They
// have no buffer, no retries and no Emit: their figure is the ceiling the
// client and the server allow on this machine.

// quota hands out the baseline's events: cfg.Events in all, or as many as
// fit before the deadline.
type quota struct {
	total    uint64
	deadline time.Time
	next     atomic.Uint64
}

func newQuota(cfg config, start time.Time) *quota {
	return &quota{total: uint64(cfg.Events), deadline: start.Add(cfg.Duration)}
}

// take claims up to n events and returns how many it got; 0 means done.
func (q *quota) take(n int) int {
	if q.total == 0 {
		if time.Now().After(q.deadline) {
			return 0
		}
		q.next.Add(uint64(n))
		return n
	}
	end := q.next.Add(uint64(n))
	begin := end - uint64(n)
	if begin >= q.total {
		return 0
	}
	return int(min(end, q.total) - begin)
}

// rawCounts are a baseline's counters, read by its progress line.
type rawCounts struct {
	emitted, delivered, failed atomic.Uint64
}

func (c *rawCounts) snapshot() snapshot {
	return snapshot{emitted: c.emitted.Load(), delivered: c.delivered.Load(), dropped: c.failed.Load()}
}

// finishRaw builds a baseline's Run, reading back its output through t's
// consumer as for the bus.
func finishRaw(ctx context.Context, cfg config, name string, producers int, t *target, c *rawCounts, elapsed time.Duration, u usage) (Run, error) {
	r := Run{
		Name: name, Producers: producers, Emitted: c.emitted.Load(),
		Seconds: elapsed.Seconds(), CPUSeconds: u.cpuSeconds(), PeakRSSBytes: peakRSS(),
	}
	r.EventsPerSec = float64(c.delivered.Load()) / elapsed.Seconds()
	h := sinks.Health{Name: t.kind + ":" + t.name, Delivered: c.delivered.Load()}
	if f := c.failed.Load(); f > 0 {
		h.Dropped = map[string]uint64{"failed": f}
	}
	rctx, cancel := context.WithTimeout(ctx, consumeTimeout)
	defer cancel()
	sr, err := t.result(rctx, cfg, h, r.Emitted, elapsed)
	r.Sinks = []SinkResult{sr}
	return r, err
}
