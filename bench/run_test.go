package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"
)

// testTimeout bounds every scenario a test runs.
const testTimeout = 2 * time.Minute

// mustConfig parses args as the command would, with the process's
// environment (REDIS_URL, RABBITMQ_URL) and a test-specific prefix.
func mustConfig(t *testing.T, getenv func(string) string, args ...string) config {
	t.Helper()
	cfg, err := parseFlags(append([]string{"-prefix", "streamll_benchtest"}, args...), getenv, io.Discard)
	if err != nil {
		t.Fatalf("parseFlags(%q): %v", args, err)
	}
	return cfg
}

func runScenario(t *testing.T, cfg config) (Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var out bytes.Buffer
	rep, err := run(ctx, cfg, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return rep, out.String()
}

// checkCounts asserts that every event of every run is accounted for.
func checkCounts(t *testing.T, rep Report) {
	t.Helper()
	if !rep.OK {
		t.Errorf("report not OK: %q", rep.Problems)
	}
	for _, r := range rep.Runs {
		if r.Emitted == 0 {
			t.Errorf("%s: nothing emitted", r.Name)
		}
		for _, s := range r.Sinks {
			if s.Delivered+s.Dropped != r.Emitted || s.Lost != 0 {
				t.Errorf("%s, %s: emitted %d, delivered %d + dropped %d, lost %d", r.Name, s.Name, r.Emitted, s.Delivered, s.Dropped, s.Lost)
			}
			if s.Consumer != consumeOff && s.Consumed != s.Delivered {
				t.Errorf("%s, %s: consumer (%s) read %d of %d delivered", r.Name, s.Name, s.Consumer, s.Consumed, s.Delivered)
			}
		}
	}
}

func TestMemoryRunCountsAddUp(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want uint64 // emitted; 0: any
	}{
		{"fixed count, closed loop", []string{"-events", "20000", "-producers", "3"}, 20000},
		{"small window and buffer", []string{"-events", "5000", "-buffer", "64", "-window", "16", "-batch", "8"}, 5000},
		{"open loop for a duration", []string{"-rate", "5000", "-duration", "300ms"}, 0},
		{"two memory sinks", []string{"-sink", "memory,memory", "-events", "10000"}, 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, out := runScenario(t, mustConfig(t, noEnv, tt.args...))
			checkCounts(t, rep)
			if tt.want > 0 && rep.Runs[0].Emitted != tt.want {
				t.Errorf("emitted %d, want %d", rep.Runs[0].Emitted, tt.want)
			}
			if r := rep.Runs[0]; r.Emit == nil || r.Emit.Count != r.Emitted || r.EventsPerSec <= 0 {
				t.Errorf("run figures = %+v", r)
			}
			if !strings.Contains(out, "events/s") || !strings.Contains(out, "memory") {
				t.Errorf("table:\n%s", out)
			}
		})
	}
}

func TestTerminalPipeCountsLines(t *testing.T) {
	rep, _ := runScenario(t, mustConfig(t, noEnv, "-sink", "terminal", "-terminal-out", "pipe", "-events", "3000"))
	checkCounts(t, rep)
	if s := rep.Runs[0].Sinks[0]; s.Consumer != "lines" || s.Consumed != 3000 {
		t.Fatalf("terminal sink result = %+v", s)
	}
}

// TestJSONSchema pins the field names of -json, which scripts read.
func TestJSONSchema(t *testing.T) {
	cfg := mustConfig(t, noEnv, "-events", "2000", "-json")
	_, out := runScenario(t, cfg)
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := map[string][]string{
		"":                    {"machine", "settings", "runs", "ok"},
		"machine":             {"go_version", "os", "arch", "cpus", "gomaxprocs", "started"},
		"settings":            {"sinks", "producers", "events", "payload_bytes", "batch_size", "buffer_size", "window", "consumer"},
		"runs.0":              {"name", "producers", "emitted", "seconds", "events_per_sec", "emit_latency", "cpu_seconds", "peak_rss_bytes", "sinks"},
		"runs.0.emit_latency": {"count", "p50_us", "p99_us", "p999_us", "max_us"},
		"runs.0.sinks.0":      {"name", "kind", "delivered", "dropped", "events_per_sec", "consumer", "consumed", "duplicates", "lost"},
	}
	for path, keys := range want {
		obj := lookup(t, doc, path)
		for _, k := range keys {
			if _, ok := obj[k]; !ok {
				t.Errorf("%q has no key %q: %v", path, k, obj)
			}
		}
	}
	if doc["ok"] != true {
		t.Errorf("ok = %v", doc["ok"])
	}
}

// lookup follows a dotted path of keys and indexes into a JSON document.
func lookup(t *testing.T, doc map[string]any, path string) map[string]any {
	t.Helper()
	var cur any = doc
	if path != "" {
		for part := range strings.SplitSeq(path, ".") {
			switch v := cur.(type) {
			case map[string]any:
				cur = v[part]
			case []any:
				var i int
				for _, c := range part {
					i = i*10 + int(c-'0')
				}
				if i >= len(v) {
					t.Fatalf("%q: index out of range", path)
				}
				cur = v[i]
			}
		}
	}
	obj, ok := cur.(map[string]any)
	if !ok {
		t.Fatalf("%q is %T, not an object", path, cur)
	}
	return obj
}

func TestSweepTableAndChart(t *testing.T) {
	chart := t.TempDir() + "/sweep.svg"
	rep, out := runScenario(t, mustConfig(t, noEnv, "-sweep", "-sweep-producers", "1,2", "-sweep-sinks", "1,2", "-events", "2000", "-chart", chart))
	if len(rep.Sweep) != 4 || !rep.OK {
		t.Fatalf("sweep = %+v, problems %q", rep.Sweep, rep.Problems)
	}
	for _, p := range rep.Sweep {
		if p.EventsPerSec <= 0 || p.Emit == nil || p.Lost != 0 {
			t.Errorf("sweep point %+v", p)
		}
	}
	if !strings.Contains(out, "scaling sweep") {
		t.Errorf("no sweep table:\n%s", out)
	}
	if b := readFile(t, chart); !bytes.Contains(b, []byte("<svg")) || !bytes.Contains(b, []byte("Throughput")) {
		t.Errorf("chart is not an SVG with a title (%d bytes)", len(b))
	}
}
