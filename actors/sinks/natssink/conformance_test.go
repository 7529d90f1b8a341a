package natssink_test

import (
	"context"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestConformance(t *testing.T) {
	js, url := testJS(t)
	var streams sinktest.Destinations[*testStream]
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		ts := newStream(t, js, nil)
		cfg := ts.config(via.URL(url, "4222"))
		cfg.ReconnectWait = 20 * time.Millisecond // reconnect soon after a fault
		s, err := natssink.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return streams.Add(s, ts)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			return decode(t, streams.Of(s).messages(ctx, t, want))
		},
	})
}
