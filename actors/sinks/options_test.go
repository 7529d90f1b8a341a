package sinks_test

import (
	"context"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

func TestDefaultBatch(t *testing.T) {
	cases := []struct {
		name string
		in   sinks.Options
		n    int
		want int
	}{
		{"unset takes n", sinks.Options{}, 1000, 1000},
		{"a small buffer caps it", sinks.Options{BufferSize: 300}, 1000, 300},
		{"a set batch is kept", sinks.Options{BatchSize: 50}, 1000, 50},
		{"n beyond the default buffer", sinks.Options{}, 50_000, sinks.DefaultBufferSize},
		{"no n, no change", sinks.Options{}, 0, 0},
	}
	for _, c := range cases {
		if got := c.in.DefaultBatch(c.n).BatchSize; got != c.want {
			t.Errorf("%s: BatchSize = %d, want %d", c.name, got, c.want)
		}
	}
}

// WithDefaults decides the host's batch by the same rule: 256, or a smaller
// buffer's size.
func TestWithDefaultsBatch(t *testing.T) {
	for _, c := range []struct{ buffer, batch, want int }{
		{0, 0, sinks.DefaultBatchSize},
		{100, 0, 100},
		{100, 7, 7},
		{100_000, 0, sinks.DefaultBatchSize},
	} {
		in := sinks.Options{BufferSize: c.buffer, BatchSize: c.batch}
		if got := in.WithDefaults().BatchSize; got != c.want {
			t.Errorf("%+v.WithDefaults().BatchSize = %d, want %d", c, got, c.want)
		}
	}
}

// The network drivers default to large batches, which their backends favour.
func TestDriverBatchDefaults(t *testing.T) {
	rs, err := redissink.New(redissink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rq, err := rabbitmqsink.New(rabbitmqsink.Config{ConfirmWindow: 700})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close(context.Background())
	defer rq.Close(context.Background())
	if got := rs.HostOptions().BatchSize; got != redissink.DefaultBatchSize {
		t.Errorf("redis batch = %d, want %d", got, redissink.DefaultBatchSize)
	}
	if got := rq.HostOptions().BatchSize; got != 700 {
		t.Errorf("rabbitmq batch = %d, want the confirm window, 700", got)
	}
}

// TestWithOptionsKeepsTheDriversOwn: wrapping a driver to add a filter must
// not lose what the driver configured for itself (its name, its batch size,
// its buffer), and the wrapper still rebuilds the driver.
func TestWithOptionsKeepsTheDriversOwn(t *testing.T) {
	rs, err := redissink.New(redissink.Config{StreamKey: "audit", Options: sinks.Options{BufferSize: 5000}})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close(context.Background())
	w := sinks.WithOptions(rs, sinks.Options{Filter: sinks.Types("error"), BufferSize: 2000})
	got := w.HostOptions()
	if got.Filter == nil || got.BufferSize != 2000 || got.BatchSize != rs.HostOptions().BatchSize || got.BatchSize == 0 {
		t.Errorf("merged options = %+v (driver's: %+v)", got, rs.HostOptions())
	}
	if n, ok := w.(sinks.Namer); !ok || n.Name() != "redis:audit" {
		t.Errorf("the wrapper lost the driver's name")
	}
	rb, ok := w.(sinks.Rebuilder)
	if !ok {
		t.Fatal("the wrapper of a Rebuilder is not a Rebuilder")
	}
	fresh, err := rb.Rebuild(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close(context.Background())
	if c, ok := fresh.(sinks.Configured); !ok || c.HostOptions().BufferSize != 2000 || c.HostOptions().Filter == nil {
		t.Errorf("the rebuilt sink lost the wrapper's options")
	}
	type plain struct{ sinks.Sink }
	if _, ok := sinks.WithOptions(plain{rs}, sinks.Options{}).(sinks.Rebuilder); ok {
		t.Error("the wrapper of a sink that cannot rebuild claims it can")
	}
}
