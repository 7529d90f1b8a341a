package main

import (
	"context"
	"io"
)

// SweepPoint is one run of the scaling sweep.
type SweepPoint struct {
	Producers    int     `json:"producers"`
	Sinks        int     `json:"sinks"`
	EventsPerSec float64 `json:"events_per_sec"`
	EmitP99us    float64 `json:"emit_p99_us"`
}

func runSweep(ctx context.Context, cfg config, rep *Report) error { return nil }

func writeSweepTable(w io.Writer, pts []SweepPoint) {}
