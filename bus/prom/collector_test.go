package prom_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/bus/prom"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestCollector(t *testing.T) {
	mem, err := memory.New(memory.Config{Options: sinks.Options{Name: "mem", BufferSize: 10, BatchSize: 10}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		b.Emit(events.Event{EventType: "x"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b.Emit(events.Event{EventType: "late"})

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(prom.NewCollector(b, prom.Options{ConstLabels: prometheus.Labels{"service": "test"}}))
	want := `
# HELP streamll_sink_delivered_total Events the sink confirmed delivered.
# TYPE streamll_sink_delivered_total counter
streamll_sink_delivered_total{service="test",sink="mem"} 3
# HELP streamll_sink_dropped_total Events not delivered, by reason.
# TYPE streamll_sink_dropped_total counter
streamll_sink_dropped_total{reason="emitted_after_close",service="test",sink="mem"} 1
streamll_sink_dropped_total{reason="intake_full",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="overflow",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="permanent_error",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="retries_exhausted",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="sink_stopped",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="spool_corrupt",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="spool_full",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="transform",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="unconfirmed_at_close",service="test",sink="mem"} 0
streamll_sink_dropped_total{reason="undelivered_at_close",service="test",sink="mem"} 0
# HELP streamll_sink_received_total Events that matched the sink's filter.
# TYPE streamll_sink_received_total counter
streamll_sink_received_total{service="test",sink="mem"} 4
# HELP streamll_sink_state 1 for the sink's current lifecycle state.
# TYPE streamll_sink_state gauge
streamll_sink_state{service="test",sink="mem",state="draining"} 0
streamll_sink_state{service="test",sink="mem",state="finished"} 1
streamll_sink_state{service="test",sink="mem",state="paused"} 0
streamll_sink_state{service="test",sink="mem",state="restarting"} 0
streamll_sink_state{service="test",sink="mem",state="running"} 0
streamll_sink_state{service="test",sink="mem",state="stopped"} 0
# HELP streamll_sink_up 1 when the sink is running with a closed circuit.
# TYPE streamll_sink_up gauge
streamll_sink_up{service="test",sink="mem"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"streamll_sink_delivered_total", "streamll_sink_dropped_total", "streamll_sink_received_total",
		"streamll_sink_state", "streamll_sink_up"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 30 {
		t.Errorf("gathered %d series (%v), want 30", n, err)
	}
}

// TestCollectorSpool: a sink with a spool exports its spool's figures.
func TestCollectorSpool(t *testing.T) {
	mem, err := memory.New(memory.Config{Options: sinks.Options{Name: "audit", Spool: sinks.Spool{Dir: t.TempDir()}}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		t.Fatal(err)
	}
	b.Emit(events.Event{EventType: "x"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(prom.NewCollector(b, prom.Options{}))
	for _, name := range []string{"streamll_sink_spool_bytes", "streamll_sink_spool_events", "streamll_sink_spool_oldest_age_seconds",
		"streamll_sink_spool_fsync_p99_seconds", "streamll_sink_spool_fsyncs_total", "streamll_sink_spool_corrupt_records_total", "streamll_sink_spool_failing"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n != 1 {
			t.Errorf("%s: %d series (%v), want 1", name, n, err)
		}
	}
}
