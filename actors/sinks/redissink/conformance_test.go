package redissink_test

import (
	"context"
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
// after the key), else from the stream named key. The fault cases run when
// the Config has a URL, which they route through the suite's proxy.
type harness struct {
	rdb       redis.UniversalClient
	newConfig func(t *testing.T, key string) redissink.Config
	read      func(ctx context.Context, t *testing.T, key string, want int) []events.Event
	keys      sinktest.Destinations[string]
}

func (h *harness) run(t *testing.T) {
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		key := streamKey(t, h.rdb)
		cfg := h.newConfig(t, key)
		if via != nil && cfg.URL == "" {
			t.Skip("the sink is given a client, not a URL to route through a proxy")
		}
		cfg.URL = via.URL(cfg.URL, "6379")
		s, err := redissink.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h.keys.Add(s, key)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			key := h.keys.Of(s)
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
