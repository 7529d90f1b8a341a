package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// OutageResult is what -outage found about the sink whose connection was
// cut or frozen. Times are in seconds; a negative one was never reached
// before the run ended.
type OutageResult struct {
	Sink     string  `json:"sink"`
	Mode     string  `json:"mode"`
	StartSec float64 `json:"start_sec"` // into the run
	Seconds  float64 `json:"seconds"`   // how long it lasted
	// BacklogAtRestore is how many events were in flight (emitted, not yet
	// delivered or dropped) when the connection came back.
	BacklogAtRestore uint64 `json:"backlog_at_restore"`
	// ResumedSec runs from the restore to the first delivery after it;
	// RecoveredSec to the moment the backlog was down to one batch.
	ResumedSec   float64 `json:"resumed_sec"`
	RecoveredSec float64 `json:"recovered_sec"`
	// CircuitOpened says whether the breaker opened during the outage.
	CircuitOpened  bool              `json:"circuit_opened"`
	FailedAttempts uint64            `json:"failed_attempts"`
	Lost           uint64            `json:"lost"`
	Dropped        uint64            `json:"dropped"`
	DroppedBy      map[string]uint64 `json:"dropped_by,omitempty"`
	Duplicates     uint64            `json:"duplicates"`
}

func (o *OutageResult) write(w io.Writer) {
	fmt.Fprintf(w, "\noutage: %s %s for %.1fs from %.1fs; backlog at restore %d; resumed after %s, caught up after %s; circuit opened: %v; failed attempts %d\n",
		o.Sink, o.Mode, o.Seconds, o.StartSec, o.BacklogAtRestore, secs(o.ResumedSec), secs(o.RecoveredSec), o.CircuitOpened, o.FailedAttempts)
	fmt.Fprintf(w, "        lost %d (must be 0), dropped %d %v, duplicates %d\n", o.Lost, o.Dropped, o.DroppedBy, o.Duplicates)
}

func secs(v float64) string {
	if v < 0 {
		return "never (before the run ended)"
	}
	return fmt.Sprintf("%.2fs", v)
}

// firstNetworkSink returns the index of the first redis, rabbitmq or nats sink.
func firstNetworkSink(kinds []string) int {
	return slices.IndexFunc(kinds, func(k string) bool { return slices.Contains(networkKinds, k) })
}

// runOutage runs the workload open loop while the first network sink's
// connection is cut or frozen for cfg.Outage, and measures what that cost.
func runOutage(ctx context.Context, cfg config, rep *Report) error {
	faulty := firstNetworkSink(cfg.Sinks)
	at := cfg.outageStart()
	res := &OutageResult{Mode: cfg.OutageMode, StartSec: at.Seconds(), ResumedSec: -1, RecoveredSec: -1}
	watch := func(ctx context.Context, br *busRun) { watchOutage(ctx, cfg, br, br.targets[faulty], faulty, at, res) }
	r, err := runBusOnce(ctx, cfg, "bus", cfg.Sinks, busOpts{faulty: faulty, during: watch})
	if err != nil {
		return err
	}
	s := r.Sinks[faulty]
	res.Sink, res.Lost, res.Dropped, res.DroppedBy, res.Duplicates = s.Name, s.Lost, s.Dropped, s.DroppedBy, s.Duplicates
	rep.Runs = append(rep.Runs, r)
	rep.Outage = res
	return nil
}

// watchOutage injects the fault at `at` into the run, lifts it after
// cfg.Outage, and follows the sink's recovery until ctx ends.
func watchOutage(ctx context.Context, cfg config, br *busRun, t *target, idx int, at time.Duration, res *OutageResult) {
	health := func() sinks.Health { return br.bus.Health()[idx] }
	if !sleepCtx(ctx, time.Until(br.start.Add(at))) {
		return
	}
	began := time.Now()
	if cfg.OutageMode == outageFreeze {
		t.proxy.Freeze()
	} else {
		t.proxy.Cut()
	}
	before := health().FailedAttempts
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for time.Since(began) < cfg.Outage {
		select {
		case <-ctx.Done():
			t.proxy.Restore()
			return
		case <-tick.C:
		}
		if health().CircuitOpen() {
			res.CircuitOpened = true
		}
	}
	t.proxy.Restore()
	restored := time.Now()
	res.Seconds = restored.Sub(began).Seconds()
	h := health()
	deliveredAt := h.Delivered
	res.BacklogAtRestore = inFlight(br, h)
	batch := uint64(cmp.Or(cfg.batchSize(), redissink.DefaultBatchSize))
	for {
		h = health()
		res.FailedAttempts = h.FailedAttempts - before
		if h.CircuitOpen() {
			res.CircuitOpened = true
		}
		if res.ResumedSec < 0 && h.Delivered > deliveredAt {
			res.ResumedSec = time.Since(restored).Seconds()
		}
		if res.ResumedSec >= 0 && inFlight(br, h) <= batch {
			res.RecoveredSec = time.Since(restored).Seconds()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// inFlight is how many emitted events the sink has neither delivered nor
// dropped yet.
func inFlight(br *busRun, h sinks.Health) uint64 {
	e, settled := br.prod.emitted.Load(), h.Delivered+h.DroppedTotal()
	if e <= settled {
		return 0
	}
	return e - settled
}

// runBlackhole runs the same open-loop workload twice through a fault proxy
// in front of the first network sink: relaying, then frozen from the start
// (a blackholed backend), and compares Emit latency. Emit must not care.
func runBlackhole(ctx context.Context, cfg config, rep *Report) error {
	faulty := firstNetworkSink(cfg.Sinks)
	healthy, err := runBusOnce(ctx, cfg, "healthy", cfg.Sinks, busOpts{faulty: faulty})
	if err != nil {
		return err
	}
	freeze := func(ts []*target) { ts[faulty].proxy.Freeze() }
	// Nothing can be delivered through a frozen proxy: Close gives up soon
	// and counts the rest as dropped.
	dead, err := runBusOnce(ctx, cfg, "blackholed", cfg.Sinks, busOpts{faulty: faulty, setup: freeze, closeTimeout: 2 * time.Second})
	if err != nil {
		return err
	}
	rep.Runs = append(rep.Runs, healthy, dead)
	if healthy.Emit == nil || dead.Emit == nil {
		return nil
	}
	for _, q := range []struct {
		name string
		pick func(*Latency) float64
	}{{"p50", p50}, {"p99", p99}, {"p99.9", p999}} {
		if h := q.pick(healthy.Emit); h > 0 {
			rep.Ratios = append(rep.Ratios, Ratio{Name: "Emit " + q.name + " blackholed ÷ healthy", Value: q.pick(dead.Emit) / h})
		}
	}
	return nil
}
