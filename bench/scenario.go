package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
)

// Time limits of the phases after producers stop.
const (
	closeTimeout   = 2 * time.Minute // bus.Close draining the sinks
	consumeTimeout = 3 * time.Minute // consumers reading back what is left
	cleanupTimeout = 30 * time.Second
)

// run performs the scenario cfg selects, prints its report (a table, or
// JSON with cfg.JSON) to stdout and returns it. An error means the scenario
// could not be carried out (a service unreachable, ctx cancelled); lost
// events and counts that do not add up are reported in Report.OK instead.
func run(ctx context.Context, cfg config, stdout io.Writer) (Report, error) {
	rep := newReport(cfg)
	var err error
	switch {
	case cfg.Sweep:
		err = runSweep(ctx, cfg, &rep)
	case cfg.Flood:
		err = runFlood(ctx, cfg, &rep)
	case len(cfg.Rates) > 0:
		err = runRates(ctx, cfg, &rep)
	case cfg.Blackhole:
		err = runBlackhole(ctx, cfg, &rep)
	case cfg.Outage > 0:
		err = runOutage(ctx, cfg, &rep)
	default:
		err = runThroughput(ctx, cfg, &rep)
	}
	if err != nil {
		return rep, err
	}
	rep.check()
	if cfg.JSON {
		return rep, rep.writeJSON(stdout)
	}
	return rep, rep.writeTable(stdout)
}

// runThroughput is the default scenario: the bus into cfg.Sinks, then,
// with -baseline, each network sink's raw client on the same work; all of it
// cfg.Repeat times, interleaved, so that a noisy machine disturbs both sides
// alike. A ratio is the median of the rounds' ratios.
func runThroughput(ctx context.Context, cfg config, rep *Report) error {
	ratios := map[string][]float64{}
	var names []string
	for round := 1; round <= cfg.Repeat; round++ {
		tag := ""
		if cfg.Repeat > 1 {
			tag = fmt.Sprintf(" #%d", round)
		}
		r, err := runBusOnce(ctx, cfg, "bus"+tag, cfg.Sinks, busOpts{faulty: -1})
		if err != nil {
			return err
		}
		rep.Runs = append(rep.Runs, r)
		// -spool-compare: the same bus with each spool policy, in the same
		// round as the bus without one.
		if cfg.SpoolCompare {
			base := r // -spool-compare runs the first bus without a spool
			for _, policy := range []string{"periodic", "every_batch"} {
				sp := cfg
				sp.SpoolSync = policy
				run, err := runBusOnce(ctx, sp, "bus, spool "+policy+tag, cfg.Sinks, busOpts{faulty: -1})
				if err != nil {
					return err
				}
				rep.Runs = append(rep.Runs, run)
				name := "spool " + policy + " ÷ no spool (events/s, first sink)"
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
				if base.Sinks[0].EventsPerSec > 0 {
					ratios[name] = append(ratios[name], run.Sinks[0].EventsPerSec/base.Sinks[0].EventsPerSec)
				}
				ename := "spool " + policy + " ÷ no spool (Emit p99)"
				if !slices.Contains(names, ename) {
					names = append(names, ename)
				}
				if base.Emit != nil && run.Emit != nil && base.Emit.P99us > 0 {
					ratios[ename] = append(ratios[ename], run.Emit.P99us/base.Emit.P99us)
				}
			}
		}
		if !cfg.Baseline {
			continue
		}
		for i, kind := range cfg.Sinks {
			if i != slices.Index(cfg.Sinks, kind) || !slices.Contains(networkKinds, kind) {
				continue // one baseline per network kind
			}
			run := runRawRedis
			switch kind {
			case kindRabbitMQ:
				run = runRawAMQP
			case kindNATS:
				run = runRawNATS
			}
			raw, err := run(ctx, cfg)
			if err != nil {
				return fmt.Errorf("baseline: %w", err)
			}
			raw.Name += tag
			rep.Runs = append(rep.Runs, raw)
			name := fmt.Sprintf("bus %s ÷ %s (events/s)", kind, strings.TrimSuffix(raw.Name, tag))
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
			if raw.EventsPerSec > 0 {
				ratios[name] = append(ratios[name], r.Sinks[i].EventsPerSec/raw.EventsPerSec)
			}
		}
	}
	for _, name := range names {
		rep.Ratios = append(rep.Ratios, summarize(name, ratios[name]))
	}
	return nil
}

// summarize returns the median of vs, with their range when there are
// several.
func summarize(name string, vs []float64) Ratio {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	r := Ratio{Name: name, Rounds: len(vs)}
	if len(vs) == 0 {
		return r
	}
	mid := len(vs) / 2
	r.Value = vs[mid]
	if len(vs)%2 == 0 {
		r.Value = (vs[mid-1] + vs[mid]) / 2
	}
	if len(vs) > 1 {
		r.Min, r.Max = vs[0], vs[len(vs)-1]
	}
	return r
}

// busOpts adapt a bus run to a fault scenario. The zero value is a plain run.
type busOpts struct {
	// faulty is the index of the target that writes through a fault proxy;
	// -1 for none.
	faulty int
	// setup runs once the targets exist, before the bus starts.
	setup func([]*target)
	// during runs alongside the producers and must return when its context
	// ends, which is once the bus has closed.
	during func(context.Context, *busRun)
	// closeTimeout bounds bus.Close; default closeTimeout.
	closeTimeout time.Duration
}

// runBusOnce builds targets for kinds, runs the bus through them and tears
// them down.
func runBusOnce(ctx context.Context, cfg config, name string, kinds []string, o busOpts) (Run, error) {
	ts, err := newTargets(ctx, cfg, kinds, o.faulty)
	if err != nil {
		return Run{}, err
	}
	if o.setup != nil {
		o.setup(ts)
	}
	r, err := runBus(ctx, cfg, name, ts, o)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return r, errors.Join(err, teardown(cctx, ts))
}

// busRun is a bus run in progress, as fault scenarios see it.
type busRun struct {
	bus     *bus.Bus
	prod    *producers
	targets []*target
	start   time.Time
}

// runBus emits the workload through a bus into ts's sinks and accounts for
// every event.
func runBus(ctx context.Context, cfg config, name string, ts []*target, o busOpts) (Run, error) {
	ss := make([]sinks.Sink, len(ts))
	for i, t := range ts {
		ss[i] = t.sink
	}
	b, err := bus.New(bus.Config{Sinks: ss, Linger: cfg.Linger, NoLinger: cfg.NoLinger})
	if err != nil {
		return Run{}, err
	}
	for _, t := range ts {
		if t.consumer != nil {
			t.consumer.start(ctx)
		}
	}
	var gate *credit
	if cfg.Rate == 0 {
		gate = newCredit(uint64(cfg.window()))
	}
	prod := newProducers(cfg, newWorkload(cfg.Payload), b.Emit, gate)
	br := &busRun{bus: b, prod: prod, targets: ts}

	side, stopSide := context.WithCancel(ctx)
	defer stopSide()
	u := startUsage()
	br.start = time.Now()
	var helpers []chan struct{}
	goHelper := func(f func()) {
		ch := make(chan struct{})
		helpers = append(helpers, ch)
		go func() { defer close(ch); f() }()
	}
	if gate != nil {
		goHelper(func() { pace(side, b, gate, uint64(cfg.window())) })
	}
	if o.during != nil {
		goHelper(func() { o.during(side, br) })
	}
	pr := startProgress(cfg.progressOut, cfg.tty, name, cfg.Tick, func() snapshot { return busSnapshot(b, prod) })

	prod.run(ctx)
	limit := o.closeTimeout
	if limit == 0 {
		limit = closeTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, limit)
	closeErr := b.Close(cctx)
	cancel()
	elapsed := time.Since(br.start)
	cpu, rss := u.cpuSeconds(), peakRSS()
	stopSide()
	for _, h := range helpers {
		<-h
	}
	pr.end()
	var ce *bus.CloseError
	if closeErr != nil && !errors.As(closeErr, &ce) {
		return Run{}, fmt.Errorf("closing the bus: %w", closeErr)
	}

	emitted := prod.emitted.Load()
	r := Run{
		Name: name, Producers: cfg.Producers, Emitted: emitted,
		Seconds: elapsed.Seconds(), EventsPerSec: float64(emitted) / elapsed.Seconds(),
		Emit: prod.emitLatency().summary(), CPUSeconds: cpu, PeakRSSBytes: rss,
	}
	rctx, rcancel := context.WithTimeout(ctx, consumeTimeout)
	defer rcancel()
	var errs []error
	for i, h := range b.Health() {
		sr, err := ts[i].result(rctx, cfg, h, emitted, elapsed)
		errs = append(errs, err)
		r.Sinks = append(r.Sinks, sr)
	}
	return r, errors.Join(errs...)
}

// result accounts for the events meant for t's sink, reading back its
// output where it can.
func (t *target) result(ctx context.Context, cfg config, h sinks.Health, emitted uint64, elapsed time.Duration) (SinkResult, error) {
	sr := SinkResult{
		Name: h.Name, Kind: t.kind, Delivered: h.Delivered, Dropped: h.DroppedTotal(),
		EventsPerSec: float64(h.Delivered) / elapsed.Seconds(), Consumer: consumeOff,
	}
	for reason, n := range h.Dropped {
		if n > 0 {
			if sr.DroppedBy == nil {
				sr.DroppedBy = map[string]uint64{}
			}
			sr.DroppedBy[reason] = n
		}
	}
	if settled := sr.Delivered + sr.Dropped; emitted > settled {
		sr.Lost = emitted - settled // neither delivered nor counted as dropped
	}
	var consumed uint64
	switch {
	case t.consumer != nil:
		if err := t.consumer.finish(ctx); err != nil {
			return sr, fmt.Errorf("reading back %s: %w", sr.Name, err)
		}
		tl := t.consumer.t
		sr.Consumer, sr.Duplicates, sr.E2E, sr.Malformed = cfg.Consumer, tl.dups, tl.e2e.summary(), tl.malformed
		consumed = uint64(len(tl.seen))
	case t.mem != nil:
		sr.Consumer, consumed = "count", uint64(t.mem.Len())
	case t.lines != nil:
		if err := t.endOutput(); err != nil {
			return sr, err
		}
		sr.Consumer, consumed = "lines", t.lines.n.Load()
	default:
		return sr, nil
	}
	sr.Consumed = consumed
	if sr.Delivered > consumed {
		sr.Lost += sr.Delivered - consumed // reported delivered, never seen
	}
	return sr, nil
}

// pace raises the producers' credit to what every sink has settled plus
// the window, until ctx ends.
func pace(ctx context.Context, b *bus.Bus, gate *credit, window uint64) {
	t := time.NewTicker(250 * time.Microsecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var settled uint64
		for i, h := range b.Health() {
			s := h.Delivered + h.DroppedTotal()
			if i == 0 || s < settled {
				settled = s
			}
		}
		gate.raise(settled + window)
	}
}

func busSnapshot(b *bus.Bus, p *producers) snapshot {
	s := snapshot{emitted: p.emitted.Load()}
	for _, h := range b.Health() {
		s.delivered += h.Delivered
		s.dropped += h.DroppedTotal()
		s.buffered += uint64(h.Buffered)
	}
	return s
}
