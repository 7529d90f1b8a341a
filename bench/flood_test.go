package main

import (
	"os"
	"strings"
	"testing"
)

// TestFloodCountsAddUp runs the open-loop flood briefly, into a memory sink
// and into a Redis sink whose server never answers (a listener of the
// scenario's own: no Redis needed), and checks that the report accounts for
// every event and fills in what docs/benchmarks.md reads from it.
func TestFloodCountsAddUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"memory", []string{"-flood", "-producers", "8", "-duration", "300ms"}},
		{"stalled-redis", []string{"-flood", "-producers", "8", "-events", "200000", "-sink", "redis", "-stall"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, out := runScenario(t, mustConfig(t, os.Getenv, tc.args...))
			f := rep.Flood
			if f == nil {
				t.Fatalf("no flood in the report:\n%s", out)
			}
			var dropped uint64
			for _, n := range f.Dropped {
				dropped += n
			}
			if !f.Exact || f.Emitted == 0 || f.Delivered+dropped+f.Buffered != f.Emitted {
				t.Errorf("emitted %d, delivered %d + dropped %v + buffered %d (exact %v)", f.Emitted, f.Delivered, f.Dropped, f.Buffered, f.Exact)
			}
			if f.Stalled {
				if f.Delivered != 0 || f.Buffered == 0 || f.Dropped["overflow"] == 0 {
					t.Errorf("a server that never answers: delivered %d, buffered %d, dropped %v", f.Delivered, f.Buffered, f.Dropped)
				}
			} else if f.Delivered == 0 || f.ClosedLoopPerSec == 0 {
				t.Errorf("delivered %d, closed loop %.0f/s", f.Delivered, f.ClosedLoopPerSec)
			}
			if f.ControlOps == 0 || f.Emit == nil || f.Control == nil || f.PeakRSSBytes == 0 || f.HeapPeakBytes == 0 || f.HeapAfterBytes == 0 {
				t.Errorf("figures missing: control ops %d, emit %v, control %v, peak RSS %d, peak heap %d, heap after %d", f.ControlOps, f.Emit, f.Control, f.PeakRSSBytes, f.HeapPeakBytes, f.HeapAfterBytes)
			}
			if !rep.OK || !strings.Contains(out, "every event accounted for: true") {
				t.Errorf("report not OK (%q):\n%s", rep.Problems, out)
			}
		})
	}
}
