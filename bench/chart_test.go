package main

import (
	"bytes"
	"testing"
)

// TestChartDegenerateRanges draws sweeps whose log axes have nothing to span:
// one producer count, p99s that fall in one histogram bucket, no Emit figures
// at all. gonum widens such an axis by ±1, which a log scale cannot take.
func TestChartDegenerateRanges(t *testing.T) {
	same := &Latency{P99us: 1}
	cases := map[string][]SweepPoint{
		"one producer count": {
			{Producers: 1, Sinks: 1, EventsPerSec: 1e5, Emit: &Latency{P99us: 3}},
			{Producers: 1, Sinks: 2, EventsPerSec: 8e4, Emit: &Latency{P99us: 4}},
		},
		"equal p99s": {
			{Producers: 1, Sinks: 1, EventsPerSec: 1e5, Emit: same},
			{Producers: 2, Sinks: 1, EventsPerSec: 2e5, Emit: same},
			{Producers: 1, Sinks: 2, EventsPerSec: 9e4, Emit: same},
			{Producers: 2, Sinks: 2, EventsPerSec: 1e5, Emit: same},
		},
		"no emit figures": {
			{Producers: 1, Sinks: 1, EventsPerSec: 1e5},
			{Producers: 4, Sinks: 1, EventsPerSec: 2e5},
		},
	}
	for name, pts := range cases {
		t.Run(name, func(t *testing.T) {
			path := t.TempDir() + "/sweep.svg"
			if err := drawChart(path, "memory", pts); err != nil {
				t.Fatal(err)
			}
			if b := readFile(t, path); !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("not an SVG (%d bytes)", len(b))
			}
		})
	}
}
