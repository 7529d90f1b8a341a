package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// FloodResult is what -flood measured: producers that never hold back, the
// way CPU-bound services call Emit, against the same producers doing the
// same work without the bus, and one closed-loop producer for scale.
type FloodResult struct {
	Sink      string  `json:"sink"`
	Stalled   bool    `json:"stalled"` // the sink's server accepts and never answers
	Producers int     `json:"producers"`
	Seconds   float64 `json:"seconds"`
	Emitted   uint64  `json:"emitted"`
	Delivered uint64  `json:"delivered"`
	// Dropped is by reason; Buffered is what the bus still held once its
	// figures stopped moving after the flood (a stalled sink's buffer; it is
	// delivered or counted by Close).
	Dropped  map[string]uint64 `json:"dropped"`
	Buffered uint64            `json:"buffered_at_end"`
	Exact    bool              `json:"exact"` // emitted = delivered + dropped + buffered
	// DeliveredPerSec is what reached the sink per second of flood;
	// ClosedLoopPerSec what one producer that waits for delivery (Flush
	// every half intake) gets through the same bus and sink, in the same run.
	DeliveredPerSec  float64  `json:"delivered_per_sec"`
	ClosedLoopPerSec float64  `json:"closed_loop_per_sec"`
	Emit             *Latency `json:"emit_latency"`
	Control          *Latency `json:"control_latency"`    // the same loop, without the bus
	ControlOps       uint64   `json:"control_ops"`        // iterations of the control loop
	PeakRSSBytes     uint64   `json:"peak_rss_bytes"`     // sampled every 25ms during the flood
	RSSSamples       []uint64 `json:"rss_mib_per_second"` // the RSS, once a second, in MiB
	HeapBeforeBytes  uint64   `json:"heap_before_bytes"`  // after a GC, before the flood
	HeapAfterBytes   uint64   `json:"heap_after_bytes"`   // after a GC, the flood drained, the bus open
	HeapPeakBytes    uint64   `json:"heap_peak_bytes"`    // the most HeapAlloc reached during the flood
}

// runFlood runs the open-loop flood: cfg.Producers goroutines emitting as
// fast as they can for cfg.Duration (or until cfg.Events), into the first of
// cfg.Sinks (memory, or redis; with -stall, a Redis URL whose server accepts
// connections and never answers).
func runFlood(ctx context.Context, cfg config, rep *Report) error {
	w := newWorkload(cfg.Payload)
	res := &FloodResult{Sink: cfg.Sinks[0], Stalled: cfg.Stall, Producers: cfg.Producers}
	rep.Flood = res

	// The control loop first, alone on the machine: the same goroutines,
	// the same event built and timed, handed to nothing.
	ctl := floodLoop(ctx, cfg, w, func(ev *events.Event) { floodSink.Store(ev) })
	res.Control, res.ControlOps = ctl.lat, ctl.n

	b, sink, stop, err := floodBus(cfg)
	if err != nil {
		return err
	}
	defer stop()
	if !cfg.Stall { // a sink that never answers has no closed-loop rate
		res.ClosedLoopPerSec, err = closedLoop(ctx, b, w, min(cfg.Duration, 2*time.Second))
		if err != nil {
			return err
		}
	}
	before := sinkHealth(b)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.HeapBeforeBytes = ms.HeapAlloc

	sampler := startRSSSampler()
	start := time.Now()
	run := floodLoop(ctx, cfg, w, func(ev *events.Event) { b.Emit(*ev) })
	res.Seconds = time.Since(start).Seconds()
	after := quietHealth(b, before.Received+run.n, 10*time.Second)
	res.PeakRSSBytes, res.RSSSamples, res.HeapPeakBytes = sampler.stop()

	res.Emitted, res.Emit = run.n, run.lat
	res.Delivered = after.Delivered - before.Delivered
	res.Buffered = uint64(after.Buffered)
	res.Dropped = map[string]uint64{}
	var dropped uint64
	for reason, n := range after.Dropped {
		if d := n - before.Dropped[reason]; d > 0 {
			res.Dropped[reason] = d
			dropped += d
		}
	}
	received := after.Received - before.Received
	res.Exact = received == res.Emitted && res.Delivered+dropped+res.Buffered == res.Emitted
	res.DeliveredPerSec = float64(res.Delivered) / res.Seconds

	// Let the bus drain what it holds (a stalled sink keeps its buffer),
	// then see what the heap returned to with the bus still open.
	if !cfg.Stall {
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := b.Flush(fctx)
		cancel()
		if err != nil {
			return fmt.Errorf("flood: draining after the flood: %w", err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	res.HeapAfterBytes = ms.HeapAlloc
	_ = sink
	return nil
}

// floodSink keeps the control loop's event alive, as the bus would.
var floodSink atomic.Pointer[events.Event]

type loopResult struct {
	n   uint64
	lat *Latency
}

// floodLoop runs cfg.Producers goroutines calling do as fast as they can,
// timing every call, for cfg.Duration or cfg.Events calls in all.
func floodLoop(ctx context.Context, cfg config, w *workload, do func(*events.Event)) loopResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if cfg.Events == 0 {
		t := time.AfterFunc(cfg.Duration, cancel)
		defer t.Stop()
	}
	var claimed, done atomic.Uint64
	hists := make([]*histogram, cfg.Producers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range cfg.Producers {
		hists[i] = &histogram{}
		wg.Go(func() {
			h := hists[i]
			execID := events.NewID()
			for ctx.Err() == nil {
				if cfg.Events > 0 && claimed.Add(1) > uint64(cfg.Events) {
					return
				}
				ev := w.event(execID)
				t0 := time.Since(start)
				do(&ev)
				h.record(time.Since(start) - t0)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	var all histogram
	for _, h := range hists {
		all.merge(h)
	}
	return loopResult{n: done.Load(), lat: all.summary()}
}

// closedLoop measures one producer that waits for delivery: it emits half
// the intake, Flushes, and goes on, for d. It returns events per second.
func closedLoop(ctx context.Context, b *bus.Bus, w *workload, d time.Duration) (float64, error) {
	ev := w.event(events.NewID())
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for range bus.DefaultIntakeSize / 2 {
			b.Emit(ev)
		}
		n += bus.DefaultIntakeSize / 2
		fctx, cancel := context.WithTimeout(ctx, time.Minute)
		err := b.Flush(fctx)
		cancel()
		if err != nil {
			return 0, fmt.Errorf("closed loop: %w", err)
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// floodBus builds the bus of a flood: one sink, default options.
func floodBus(cfg config) (*bus.Bus, sinks.Sink, func(), error) {
	var s sinks.Sink
	var undo []func()
	switch cfg.Sinks[0] {
	case kindMemory:
		m, err := memory.New(memory.Config{Options: hostOptions(cfg), Discard: true})
		if err != nil {
			return nil, nil, nil, err
		}
		s = m
	case kindRedis:
		url := cfg.RedisURL
		if cfg.Stall {
			addr, stop, err := stallServer()
			if err != nil {
				return nil, nil, nil, err
			}
			undo = append(undo, stop)
			url = "redis://" + addr
		}
		r, err := redissink.New(redissink.Config{Options: hostOptions(cfg), URL: url, StreamKey: cfg.Prefix + "_flood_" + runSuffix()})
		if err != nil {
			return nil, nil, nil, err
		}
		s = r
	default:
		return nil, nil, nil, fmt.Errorf("-flood drives a memory or a redis sink, not %s", cfg.Sinks[0])
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{s}, Linger: cfg.Linger, NoLinger: cfg.NoLinger})
	if err != nil {
		return nil, nil, nil, err
	}
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = b.Close(ctx) // what it lost is in the report already
		for _, u := range undo {
			u()
		}
	}
	return b, s, stop, nil
}

func sinkHealth(b *bus.Bus) sinks.Health { return b.Health()[0] }

// quietHealth waits (up to limit) until the sink has received want events in
// all, what the intake still held included, and its figures have stopped
// moving, and returns them. Health adds up only at a quiet moment: read
// while the sink still moves events from its buffer to its server, the
// figures come from slightly different instants, and a flood's last batch
// could be counted in neither Delivered nor Buffered.
func quietHealth(b *bus.Bus, want uint64, limit time.Duration) sinks.Health {
	deadline := time.Now().Add(limit)
	h := sinkHealth(b)
	for time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
		next := sinkHealth(b)
		if next.Received >= want && sameCounts(h, next) {
			return next
		}
		h = next
	}
	return h
}

// sameCounts reports whether two readings of a sink agree on every count
// the flood's accounting adds up.
func sameCounts(a, b sinks.Health) bool {
	return a.Received == b.Received && a.Delivered == b.Delivered &&
		a.DroppedTotal() == b.DroppedTotal() && a.Buffered == b.Buffered
}

// stallServer listens on a loopback port, accepts every connection and
// never reads or answers: a server that hangs.
func stallServer() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	stop := func() {
		ln.Close()
		<-done
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}
	return ln.Addr().String(), stop, nil
}

// rssSampler reads the process's RSS and heap every 25ms.
type rssSampler struct {
	stopCh    chan struct{}
	done      chan struct{}
	peak      uint64
	perSecond []uint64
	heapPeak  uint64
}

func startRSSSampler() *rssSampler {
	s := &rssSampler{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(25 * time.Millisecond)
		defer t.Stop()
		start := time.Now()
		var ms runtime.MemStats
		for tick := 0; ; tick++ {
			select {
			case <-s.stopCh:
				return
			case <-t.C:
			}
			rss := currentRSS()
			s.peak = max(s.peak, rss)
			if sec := int(time.Since(start) / time.Second); sec >= len(s.perSecond) {
				s.perSecond = append(s.perSecond, rss>>20)
			}
			if tick%4 == 0 { // ReadMemStats stops the world: every fourth tick
				runtime.ReadMemStats(&ms)
				s.heapPeak = max(s.heapPeak, ms.HeapAlloc)
			}
		}
	}()
	return s
}

func (s *rssSampler) stop() (peak uint64, perSecond []uint64, heapPeak uint64) {
	close(s.stopCh)
	<-s.done
	return max(s.peak, currentRSS()), s.perSecond, s.heapPeak
}

func (f *FloodResult) write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	sink := f.Sink
	if f.Stalled {
		sink += " (server never answers)"
	}
	fmt.Fprintf(w, "flood: %d producers, open loop, %.1fs, into %s\n", f.Producers, f.Seconds, sink)
	fmt.Fprintln(tw, "loop\tcalls\tp50\tp99\tp99.9\tmax\t")
	for _, l := range []struct {
		name string
		n    uint64
		lat  *Latency
	}{{"Emit", f.Emitted, f.Emit}, {"control (no bus)", f.ControlOps, f.Control}} {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t\n", l.name, l.n, us(l.lat, p50), us(l.lat, p99), us(l.lat, p999), us(l.lat, func(l *Latency) float64 { return l.MaxUs }))
	}
	tw.Flush()
	fmt.Fprintf(w, "delivered %d (%s/s); one closed-loop producer: %s/s; delivered ÷ closed loop: %.2f\n",
		f.Delivered, rate(f.DeliveredPerSec), rate(f.ClosedLoopPerSec), f.DeliveredPerSec/max(f.ClosedLoopPerSec, 1))
	fmt.Fprintf(w, "dropped %v, buffered at the end %d, every event accounted for: %v\n", f.Dropped, f.Buffered, f.Exact)
	if f.Emit != nil && f.Control != nil && f.Control.MaxUs > 0 {
		fmt.Fprintf(w, "max Emit ÷ max control: %.2f\n", f.Emit.MaxUs/f.Control.MaxUs)
	}
	fmt.Fprintf(w, "peak RSS %s (RSS each second, MiB: %v); heap before %s, peak %s, after the flood with the bus open %s (%.2f× before)\n",
		mib(f.PeakRSSBytes), f.RSSSamples, mib(f.HeapBeforeBytes), mib(f.HeapPeakBytes), mib(f.HeapAfterBytes),
		float64(f.HeapAfterBytes)/float64(max(f.HeapBeforeBytes, 1)))
}
