package main

import (
	"os"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestSmoke runs every sink briefly against the real services, as CI does,
// and checks that every event is accounted for and read back.
func TestSmoke(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		service func(testing.TB) string
	}{
		{"memory", []string{"-sink", "memory"}, nil},
		{"terminal to /dev/null", []string{"-sink", "terminal"}, nil},
		{"terminal to a pipe", []string{"-sink", "terminal", "-terminal-out", "pipe"}, nil},
		{"redis", []string{"-sink", "redis"}, servicetest.RedisURL},
		{"rabbitmq", []string{"-sink", "rabbitmq"}, servicetest.RabbitMQURL},
		{"nats", []string{"-sink", "nats"}, servicetest.NATSURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.service != nil {
				tt.service(t)
			}
			rep, _ := runScenario(t, mustConfig(t, os.Getenv, append([]string{"-smoke"}, tt.args...)...))
			checkCounts(t, rep)
			if s := rep.Runs[0].Sinks[0]; (tt.service != nil) && s.E2E == nil {
				t.Errorf("%s: no end-to-end latency from the live consumer", s.Name)
			}
		})
	}
}

// TestBaselineSmoke runs the bus and the raw clients on a small workload.
func TestBaselineSmoke(t *testing.T) {
	servicetest.RedisURL(t)
	servicetest.RabbitMQURL(t)
	rep, out := runScenario(t, mustConfig(t, os.Getenv, "-sink", "redis,rabbitmq", "-events", "3000", "-baseline", "-repeat", "2"))
	checkCounts(t, rep)
	if len(rep.Runs) != 6 || len(rep.Ratios) != 2 || rep.Ratios[0].Rounds != 2 || rep.Ratios[1].Value <= 0 {
		t.Fatalf("runs %d, ratios %+v; want 6 runs and 2 ratios over 2 rounds:\n%s", len(rep.Runs), rep.Ratios, out)
	}
}

// TestNATSBaselineSmoke runs the NATS sink and raw nats.go PublishAsync on
// a small workload, and a NATS outage.
func TestNATSBaselineSmoke(t *testing.T) {
	servicetest.NATSURL(t)
	rep, out := runScenario(t, mustConfig(t, os.Getenv, "-sink", "nats", "-events", "3000", "-baseline"))
	checkCounts(t, rep)
	if len(rep.Runs) != 2 || len(rep.Ratios) != 1 || rep.Ratios[0].Value <= 0 {
		t.Fatalf("runs %d, ratios %+v; want 2 runs and a ratio:\n%s", len(rep.Runs), rep.Ratios, out)
	}
	cfg := mustConfig(t, os.Getenv, "-sink", "nats", "-duration", "2s", "-rate", "2000",
		"-outage", "500ms", "-outage-at", "500ms", "-breaker-recovery", "200ms")
	rep, out = runScenario(t, cfg)
	checkCounts(t, rep)
	if o := rep.Outage; o == nil || o.Lost != 0 || o.ResumedSec < 0 {
		t.Fatalf("outage = %+v\n%s", o, out)
	}
}

// TestOutageSmoke cuts the Redis sink off for a moment mid-run: nothing may
// be lost, and the sink must recover once the connection is back.
func TestOutageSmoke(t *testing.T) {
	servicetest.RedisURL(t)
	for _, mode := range []string{outageCut, outageFreeze} {
		t.Run(mode, func(t *testing.T) {
			cfg := mustConfig(t, os.Getenv, "-sink", "redis", "-duration", "2s", "-rate", "2000",
				"-outage", "500ms", "-outage-at", "500ms", "-outage-mode", mode, "-breaker-recovery", "200ms")
			rep, out := runScenario(t, cfg)
			checkCounts(t, rep)
			o := rep.Outage
			if o == nil || o.Lost != 0 || o.ResumedSec < 0 {
				t.Fatalf("outage = %+v\n%s", o, out)
			}
		})
	}
}

// TestBlackholeSmoke compares a healthy and a blackholed Redis sink.
func TestBlackholeSmoke(t *testing.T) {
	servicetest.RedisURL(t)
	rep, out := runScenario(t, mustConfig(t, os.Getenv, "-sink", "redis", "-duration", "1s", "-rate", "2000", "-blackhole"))
	checkCounts(t, rep)
	if len(rep.Runs) != 2 || rep.Runs[1].Sinks[0].Delivered != 0 || len(rep.Ratios) != 3 {
		t.Fatalf("blackhole report:\n%s", out)
	}
}

// TestRatesSmoke runs the fixed-rate scenario briefly into Redis: the bus,
// the control loop and each go-redis loop all measured, and the live pass's
// end-to-end latency reported.
func TestRatesSmoke(t *testing.T) {
	servicetest.RedisURL(t)
	rep, out := runScenario(t, mustConfig(t, os.Getenv, "-sink", "redis", "-rates", "2000", "-duration", "300ms", "-raw-every", "1ms,5ms"))
	if len(rep.Rates) != 1 {
		t.Fatalf("%d rate points, want 1:\n%s", len(rep.Rates), out)
	}
	p := rep.Rates[0]
	if p.Emitted < 480 || p.BusCPUus <= 0 || p.ControlCPUus <= 0 {
		t.Errorf("emitted %d (want about 600), bus %.2f µs, control %.2f µs:\n%s", p.Emitted, p.BusCPUus, p.ControlCPUus, out)
	}
	if len(p.Raw) != 2 || p.Raw[0].Every != "1ms" || p.Raw[1].Every != "5ms" || p.Raw[0].CPUus <= 0 || p.Raw[1].CPUus <= 0 {
		t.Errorf("go-redis loops %+v, want 1ms and 5ms, each measured:\n%s", p.Raw, out)
	}
	if p.E2E == nil || p.E2E.Count == 0 {
		t.Errorf("no end-to-end latency from the live pass:\n%s", out)
	}
	if !strings.Contains(out, "go-redis 5ms") {
		t.Errorf("the table has no go-redis 5ms column:\n%s", out)
	}
}

// TestRatesSmokeOtherSinks runs the fixed-rate scenario briefly into
// RabbitMQ and NATS: the bus and the control loop measured, the live pass's
// end-to-end latency reported, and no go-redis loops beside them.
func TestRatesSmokeOtherSinks(t *testing.T) {
	for _, kind := range []string{kindRabbitMQ, kindNATS} {
		t.Run(kind, func(t *testing.T) {
			if kind == kindRabbitMQ {
				servicetest.RabbitMQURL(t)
			} else {
				servicetest.NATSURL(t)
			}
			rep, out := runScenario(t, mustConfig(t, os.Getenv, "-sink", kind, "-rates", "2000", "-duration", "300ms"))
			if len(rep.Rates) != 1 {
				t.Fatalf("%d rate points, want 1:\n%s", len(rep.Rates), out)
			}
			p := rep.Rates[0]
			if p.Sink != kind || p.Emitted < 480 || p.BusCPUus <= 0 || p.ControlCPUus <= 0 || len(p.Raw) != 0 {
				t.Errorf("sink %s, emitted %d (want about 600), bus %.2f µs, control %.2f µs, raw loops %v:\n%s", p.Sink, p.Emitted, p.BusCPUus, p.ControlCPUus, p.Raw, out)
			}
			if p.E2E == nil || p.E2E.Count < 480 {
				t.Errorf("end-to-end latency %+v, want a figure for each of the live pass's ~600 events:\n%s", p.E2E, out)
			}
		})
	}
}
