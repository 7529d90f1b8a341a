package redissink_test

import (
	"context"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

// harness runs the conformance suite against sinks that newConfig configures,
// each given a stream key of its own, and reads back what they wrote through
// rdb: with read if set (for templates that spread events over streams named
// after the key), else from the stream named key.
type harness struct {
	rdb       redis.UniversalClient
	newConfig func(t *testing.T, key string) redissink.Config
	read      func(ctx context.Context, t *testing.T, key string, want int) []events.Event
	mu        sync.Mutex
	keys      map[sinks.Sink]string
}

func (h *harness) run(t *testing.T) {
	h.keys = make(map[sinks.Sink]string)
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			key := streamKey(t, h.rdb)
			s, err := redissink.New(h.newConfig(t, key))
			if err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			h.keys[s] = key
			h.mu.Unlock()
			return s
		},
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			h.mu.Lock()
			key := h.keys[s]
			h.mu.Unlock()
			if h.read != nil {
				return h.read(ctx, t, key, want)
			}
			msgs, err := entries(ctx, h.rdb, key, want)
			if err != nil {
				t.Errorf("reading %s: %v", key, err)
			}
			return decode(t, msgs, "event")
		},
	})
}

func TestConformance(t *testing.T) {
	rdb, url := testRedis(t)
	h := &harness{rdb: rdb, newConfig: func(t *testing.T, key string) redissink.Config {
		return redissink.Config{URL: url, StreamKey: key}
	}}
	h.run(t)
}
