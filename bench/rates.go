package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// RatePoint is what one fixed rate cost: process CPU per event through the
// bus into a sink, against a loop that only makes the events and against
// go-redis loops that send what is due as one pipeline per period (1 ms and
// 5 ms unless -raw-every says otherwise), all measured in the same run; and
// the bus's end-to-end latency at that rate, from a second pass with a live
// consumer.
type RatePoint struct {
	Rate     float64 `json:"rate"`
	Sink     string  `json:"sink"`
	Linger   string  `json:"linger"`
	Seconds  float64 `json:"seconds"`
	Emitted  uint64  `json:"emitted"`
	BusCPUus float64 `json:"bus_cpu_us_per_event"`
	// ControlCPUus is the loop that makes the events and hands them to
	// nothing; Raw the go-redis loops (Redis only), in -raw-every's order.
	ControlCPUus float64   `json:"control_cpu_us_per_event"`
	Raw          []RawLoop `json:"raw,omitempty"`
	E2E          *Latency  `json:"e2e_latency,omitempty"`
	// CoreShare is the bus's CPU as a share of one core.
	CoreShare float64 `json:"bus_core_share"`
}

// RawLoop is what a go-redis loop sending one pipeline every Every cost.
type RawLoop struct {
	Every string  `json:"every"`
	CPUus float64 `json:"cpu_us_per_event"`
}

// tickEvery is how producers of the fixed-rate scenario pace themselves:
// every tick they emit the events that are due, as a service handling
// requests emits in bursts.
const tickEvery = time.Millisecond

// runRates measures each of cfg.Rates in turn.
func runRates(ctx context.Context, cfg config, rep *Report) error {
	kind := cfg.Sinks[0]
	if kind == kindTerminal {
		return errors.New("-rates drives a memory, redis, rabbitmq or nats sink, not terminal")
	}
	w := newWorkload(cfg.Payload)
	for _, rate := range cfg.Rates {
		pt := RatePoint{Rate: rate, Sink: kind, Seconds: cfg.Duration.Seconds(), Linger: lingerText(cfg)}
		// Interleaved, so that a noisy machine disturbs every side alike.
		control := paced(ctx, rate, cfg.Duration, w, func(*events.Event) {})
		pt.ControlCPUus = control.cpuPerEvent()
		busRun, err := ratedBus(ctx, cfg, rate, w, false)
		if err != nil {
			return err
		}
		pt.BusCPUus, pt.Emitted = busRun.cpuPerEvent(), busRun.events
		pt.CoreShare = busRun.cpu.Seconds() / busRun.wall.Seconds()
		if kind == kindRedis {
			for _, every := range cfg.RawEvery {
				raw, err := ratedRawRedis(ctx, cfg, rate, every, w)
				if err != nil {
					return err
				}
				pt.Raw = append(pt.Raw, RawLoop{Every: every.String(), CPUus: raw.cpuPerEvent()})
			}
		}
		lat, err := ratedBus(ctx, cfg, rate, w, true)
		if err != nil {
			return err
		}
		pt.E2E = lat.e2e
		rep.Rates = append(rep.Rates, pt)
	}
	return nil
}

func lingerText(cfg config) string {
	switch {
	case cfg.NoLinger:
		return "off"
	case cfg.Linger > 0:
		return cfg.Linger.String()
	}
	return bus.DefaultLinger.String() + " (default)"
}

type ratedRun struct {
	events uint64
	cpu    time.Duration
	wall   time.Duration
	e2e    *Latency
}

func (r ratedRun) cpuPerEvent() float64 {
	if r.events == 0 {
		return 0
	}
	return float64(r.cpu.Microseconds()) / float64(r.events)
}

// paced calls do for rate events a second over d, in bursts every
// tickEvery, and returns the process CPU it took.
func paced(ctx context.Context, rate float64, d time.Duration, w *workload, do func(*events.Event)) ratedRun {
	execID := events.NewID()
	u := startUsage()
	start := time.Now()
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	var n uint64
	for {
		select {
		case <-ctx.Done():
			return ratedRun{events: n, cpu: time.Duration(u.cpuSeconds() * float64(time.Second)), wall: time.Since(start)}
		case <-t.C:
		}
		elapsed := time.Since(start)
		if elapsed >= d {
			break
		}
		due := uint64(rate * elapsed.Seconds())
		for ; n < due; n++ {
			ev := w.event(execID)
			do(&ev)
		}
	}
	return ratedRun{events: n, cpu: time.Duration(u.cpuSeconds() * float64(time.Second)), wall: time.Since(start)}
}

// ratedBus runs the bus at rate into a fresh sink of cfg's kind. With live,
// a consumer reads the server as it goes and the run reports end-to-end
// latency (its CPU is then not the bus's alone: the CPU pass runs without
// it).
func ratedBus(ctx context.Context, cfg config, rate float64, w *workload, live bool) (run ratedRun, err error) {
	cfg.Consumer = consumeOff
	if live && cfg.Sinks[0] != kindMemory {
		cfg.Consumer = consumeLive
	}
	t := &target{kind: cfg.Sinks[0], name: fmt.Sprintf("%s_%s_rate", cfg.Prefix, runSuffix())}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		err = errors.Join(err, teardown(cctx, []*target{t}))
	}()
	if err := t.build(ctx, cfg, false); err != nil {
		return ratedRun{}, err
	}
	if t.consumer != nil {
		t.consumer.start(ctx)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{t.sink}, Linger: cfg.Linger, NoLinger: cfg.NoLinger})
	if err != nil {
		return ratedRun{}, err
	}
	run = paced(ctx, rate, cfg.Duration, w, func(ev *events.Event) { b.Emit(*ev) })
	cctx, cancel := context.WithTimeout(ctx, closeTimeout)
	defer cancel()
	if err := b.Close(cctx); err != nil {
		return ratedRun{}, fmt.Errorf("rate %.0f: %w", rate, err)
	}
	if t.consumer != nil {
		if err := t.consumer.finish(cctx); err != nil {
			return ratedRun{}, err
		}
		run.e2e = t.consumer.t.e2e.summary()
	}
	return run, nil
}

// ratedRawRedis is the go-redis loop a user might write instead (see
// rawRedisLoop), on a stream of its own that it deletes afterwards.
func ratedRawRedis(ctx context.Context, cfg config, rate float64, every time.Duration, w *workload) (ratedRun, error) {
	key := fmt.Sprintf("%s_%s_raw_rate", cfg.Prefix, runSuffix())
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = deleteRedisKeys(cctx, cfg.RedisURL, key)
	}()
	client, err := newRedisClient(cfg.RedisURL, 1)
	if err != nil {
		return ratedRun{}, err
	}
	defer client.Close()
	if err := client.Ping(ctx).Err(); err != nil {
		return ratedRun{}, fmt.Errorf("%w: redis %s: %w", errNoServer, redactURL(cfg.RedisURL), err)
	}
	u := startUsage()
	start := time.Now()
	n, err := rawRedisLoop(ctx, client, key, rate, cfg.Duration, every, w)
	return ratedRun{events: n, cpu: time.Duration(u.cpuSeconds() * float64(time.Second)), wall: time.Since(start)}, err
}

// rawRedisLoop makes rate events a second for d in the same 1 ms bursts as
// the bus's producers, queues each as an XADD to key on a pipeline, and
// sends the pipeline every `every`, and once more at the end. (A loop that
// also made its events only every `every` would save the bursts' wake-ups
// and not be the same work.) It returns how many events it made.
func rawRedisLoop(ctx context.Context, client *redis.Client, key string, rate float64, d, every time.Duration, w *workload) (uint64, error) {
	execID := events.NewID()
	pipe := client.Pipeline()
	send := func() error {
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("raw rated XADD pipeline: %w", err)
		}
		return nil
	}
	var buf []byte
	start := time.Now()
	sent := start
	tk := time.NewTicker(tickEvery)
	defer tk.Stop()
	var n uint64
	for {
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-tk.C:
		}
		now := time.Now()
		elapsed := now.Sub(start)
		if elapsed >= d {
			break
		}
		for due := uint64(rate * elapsed.Seconds()); n < due; n++ {
			ev := w.stamped(execID)
			buf = events.AppendJSON(buf[:0], &ev)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{redissink.DefaultField, string(buf)}})
		}
		// A tick may come a little early: send when the period is
		// nearly up rather than a whole tick late.
		if pipe.Len() == 0 || now.Sub(sent) < every-tickEvery/2 {
			continue
		}
		sent = now
		if err := send(); err != nil {
			return n, err
		}
	}
	if pipe.Len() == 0 {
		return n, nil
	}
	return n, send()
}

func writeRates(w io.Writer, pts []RatePoint) {
	fmt.Fprintln(w, "fixed rates: process CPU per event (µs), events emitted in 1 ms bursts; the bus's end-to-end latency from a separate pass with a live consumer")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "rate\tsink\tlinger\tbus\tno bus\t"
	var loops []string // the go-redis periods, from the first point that ran them
	for _, p := range pts {
		if len(p.Raw) > 0 {
			for _, r := range p.Raw {
				loops = append(loops, r.Every)
			}
			break
		}
	}
	for _, every := range loops {
		head += "go-redis " + every + "\t"
	}
	ratio := "bus ÷ go-redis"
	if len(loops) > 0 {
		ratio += " " + loops[0]
	}
	fmt.Fprintln(tw, head+ratio+"\tbus core share\te2e p50\tp99\t")
	for _, p := range pts {
		row := fmt.Sprintf("%s\t%s\t%s\t%.2f\t%.2f\t", rate(p.Rate), p.Sink, p.Linger, p.BusCPUus, p.ControlCPUus)
		for i := range loops {
			v := 0.0
			if i < len(p.Raw) {
				v = p.Raw[i].CPUus
			}
			row += optional(v) + "\t"
		}
		r := "-"
		if len(p.Raw) > 0 && p.Raw[0].CPUus > 0 {
			r = fmt.Sprintf("%.2f", p.BusCPUus/p.Raw[0].CPUus)
		}
		fmt.Fprintf(tw, "%s%s\t%.1f%%\t%s\t%s\t\n", row, r, 100*p.CoreShare, us(p.E2E, p50), us(p.E2E, p99))
	}
	tw.Flush()
}

func optional(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", v)
}
