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
