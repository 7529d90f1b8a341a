package main

import (
	"strings"
	"testing"
)

func TestWriteRatesHasAColumnPerLoop(t *testing.T) {
	pts := []RatePoint{
		{Rate: 10000, Sink: kindRedis, Linger: "2ms", BusCPUus: 12, ControlCPUus: 4, CoreShare: 0.12,
			Raw: []RawLoop{{Every: "1ms", CPUus: 24}, {Every: "20ms", CPUus: 13}}},
		{Rate: 1000, Sink: kindMemory, Linger: "2ms", BusCPUus: 8, ControlCPUus: 4, CoreShare: 0.01},
	}
	var out strings.Builder
	writeRates(&out, pts)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a caption, a head and two rows:\n%s", out.String())
	}
	for _, want := range []string{"go-redis 1ms", "go-redis 20ms", "bus ÷ go-redis 1ms"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("head %q lacks %q", lines[1], want)
		}
	}
	redis, memory := strings.Fields(lines[2]), strings.Fields(lines[3])
	// rate, sink, linger, bus, no bus, the two loops, the ratio, the share, p50, p99
	if got := strings.Join(redis[5:9], " "); got != "24.00 13.00 0.50 12.0%" {
		t.Errorf("redis row: loops, ratio and share = %q\n%s", got, out.String())
	}
	if got := strings.Join(memory[5:9], " "); got != "- - - 1.0%" {
		t.Errorf("memory row: loops, ratio and share = %q\n%s", got, out.String())
	}
}
