package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// SweepPoint is one run of the scaling sweep.
type SweepPoint struct {
	Producers    int      `json:"producers"`
	Sinks        int      `json:"sinks"`
	EventsPerSec float64  `json:"events_per_sec"`
	Emit         *Latency `json:"emit_latency,omitempty"`
	Dropped      uint64   `json:"dropped"`
	Lost         uint64   `json:"lost"`
}

// runSweep runs the workload for every producer count × sink count, the
// sinks being copies of the first -sink, and draws the chart if asked. Its
// runs read nothing back (the consumer is off): it measures how the bus
// scales, and the default scenario checks delivery.
func runSweep(ctx context.Context, cfg config, rep *Report) error {
	pc := cfg
	pc.Consumer = consumeOff
	rep.Settings.Consumer = consumeOff
	for _, nsinks := range cfg.SweepSinks {
		kinds := slices.Repeat([]string{cfg.Sinks[0]}, nsinks)
		for _, np := range cfg.SweepProd {
			pc.Producers = np
			r, err := runBusOnce(ctx, pc, fmt.Sprintf("sweep %dp×%ds", np, nsinks), kinds, busOpts{faulty: -1})
			if err != nil {
				return err
			}
			pt := SweepPoint{Producers: np, Sinks: nsinks, EventsPerSec: r.EventsPerSec, Emit: r.Emit}
			for _, s := range r.Sinks {
				pt.Dropped += s.Dropped
				pt.Lost += s.Lost
			}
			if pt.Lost > 0 {
				rep.problem("sweep %d producers × %d sinks: %d events lost", np, nsinks, pt.Lost)
			}
			rep.Sweep = append(rep.Sweep, pt)
		}
	}
	if cfg.Chart != "" {
		return drawChart(cfg.Chart, cfg.Sinks[0], rep.Sweep)
	}
	return nil
}

// writeSweepTable prints events/s and Emit p99 with one row per producer
// count and one column pair per sink count.
func writeSweepTable(w io.Writer, pts []SweepPoint) {
	var prods, sinkCounts []int
	at := map[[2]int]SweepPoint{}
	for _, p := range pts {
		if !slices.Contains(prods, p.Producers) {
			prods = append(prods, p.Producers)
		}
		if !slices.Contains(sinkCounts, p.Sinks) {
			sinkCounts = append(sinkCounts, p.Sinks)
		}
		at[[2]int{p.Producers, p.Sinks}] = p
	}
	fmt.Fprintln(w, "\nscaling sweep: events/s (each event to every sink) and Emit p99")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "producers\t")
	for _, s := range sinkCounts {
		fmt.Fprintf(tw, "%d sink(s)\tEmit p99\t", s)
	}
	fmt.Fprintln(tw)
	for _, np := range prods {
		fmt.Fprintf(tw, "%d\t", np)
		for _, s := range sinkCounts {
			p, ok := at[[2]int{np, s}]
			if !ok {
				fmt.Fprint(tw, "-\t-\t")
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t", rate(p.EventsPerSec), us(p.Emit, p99))
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}
