package main

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/events"
)

// benchType is the event type the command emits: a custom type, so that the
// terminal sink writes one line per event (token events would join a line).
const benchType events.Type = "bench"

// workload is the event every producer emits, padded so that its encoding
// is about the requested payload size. Its data map is shared and read-only,
// as the bus allows.
type workload struct {
	data map[string]any
}

func newWorkload(payload int) *workload {
	w := &workload{data: map[string]any{"payload": ""}}
	probe := w.event("k3Jd9aQ01LmZ")
	probe.EventID = "V1StGXR8Z5jd"
	probe.Timestamp = time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC)
	base := len(events.Marshal(&probe))
	w.data = map[string]any{"payload": strings.Repeat("x", max(payload-base, 0))}
	return w
}

// event returns the event of execution execID, without id or timestamp: the
// bus fills both in Emit, the raw baselines set them.
func (w *workload) event(execID string) events.Event {
	return events.Event{
		ExecutionID: execID,
		ModuleName:  "BenchModule",
		MethodName:  "forward",
		EventType:   benchType,
		Operation:   "throughput",
		Data:        w.data,
	}
}

// stamped returns an event with an id and the current time, as Emit would
// make it, for the raw baselines.
func (w *workload) stamped(execID string) events.Event {
	ev := w.event(execID)
	ev.EventID = events.NewID()
	ev.Timestamp = time.Now()
	return ev
}

// credit holds closed-loop producers back: a producer may emit event number n
// only once n <= limit. The pacer raises the limit as sinks settle events.
type credit struct {
	limit atomic.Uint64
	mu    sync.Mutex
	wake  chan struct{} // closed and replaced whenever limit rises
}

func newCredit(initial uint64) *credit {
	c := &credit{wake: make(chan struct{})}
	c.limit.Store(initial)
	return c
}

// wait returns true once n is within the limit, false if ctx ended first.
func (c *credit) wait(ctx context.Context, n uint64) bool {
	for n > c.limit.Load() {
		c.mu.Lock()
		ch := c.wake
		c.mu.Unlock()
		if n <= c.limit.Load() {
			break
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
	return true
}

// raise moves the limit up to to, waking waiting producers.
func (c *credit) raise(to uint64) {
	if to <= c.limit.Load() {
		return
	}
	c.limit.Store(to)
	c.mu.Lock()
	close(c.wake)
	c.wake = make(chan struct{})
	c.mu.Unlock()
}

// producers runs cfg.Producers goroutines calling emit, each timing every
// call (or one in cfg.EmitSample) into its own histogram. It stops after
// cfg.Events events, or at cfg.Duration, or when ctx ends. With cfg.Rate the
// goroutines emit on a fixed schedule (open loop); otherwise as fast as gate
// lets them (closed loop; a nil gate never holds them back).
type producers struct {
	cfg     config
	w       *workload
	emit    func(events.Event)
	gate    *credit
	claimed atomic.Uint64 // sequence numbers handed out
	emitted atomic.Uint64 // Emit calls returned
	hists   []*histogram
}

func newProducers(cfg config, w *workload, emit func(events.Event), gate *credit) *producers {
	p := &producers{cfg: cfg, w: w, emit: emit, gate: gate}
	for range cfg.Producers {
		p.hists = append(p.hists, &histogram{})
	}
	return p
}

// run emits until done and returns when every producer has stopped.
func (p *producers) run(ctx context.Context) {
	start := time.Now()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if p.cfg.Events == 0 {
		stop := time.AfterFunc(p.cfg.Duration, cancel)
		defer stop.Stop()
	}
	var wg sync.WaitGroup
	for i := range p.cfg.Producers {
		wg.Go(func() { p.loop(ctx, i, start) })
	}
	wg.Wait()
}

func (p *producers) loop(ctx context.Context, i int, start time.Time) {
	h := p.hists[i]
	execID := events.NewID()
	var interval time.Duration
	next := start
	if p.cfg.Rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(p.cfg.Producers) / p.cfg.Rate)
		next = start.Add(interval * time.Duration(i) / time.Duration(p.cfg.Producers))
	}
	total := uint64(p.cfg.Events)
	sample := uint64(max(p.cfg.EmitSample, 1))
	for ctx.Err() == nil {
		n := p.claimed.Add(1)
		if total > 0 && n > total {
			return
		}
		if interval > 0 {
			if d := time.Until(next); d > 0 && !sleepCtx(ctx, d) {
				return
			}
			next = next.Add(interval)
		} else if p.gate != nil && !p.gate.wait(ctx, n) {
			return
		}
		ev := p.w.event(execID)
		if sample == 1 || n%sample == 0 {
			// Two monotonic readings against a base cost half of what
			// time.Now (wall and monotonic) would.
			t0 := time.Since(start)
			p.emit(ev)
			h.record(time.Since(start) - t0)
		} else {
			p.emit(ev)
		}
		p.emitted.Add(1)
	}
}

// emitLatency merges the producers' histograms.
func (p *producers) emitLatency() *histogram {
	var all histogram
	for _, h := range p.hists {
		all.merge(h)
	}
	return &all
}

// sleepCtx sleeps for d, or returns false when ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
