package natssink_test

import (
	"context"
	"sync"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestConformance(t *testing.T) {
	js, url := testJS(t)
	var (
		mu      sync.Mutex
		streams = map[sinks.Sink]*testStream{}
	)
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			ts := newStream(t, js, nil)
			s, err := natssink.New(ts.config(url))
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			streams[s] = ts
			mu.Unlock()
			return s
		},
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			mu.Lock()
			ts := streams[s]
			mu.Unlock()
			return decode(t, ts.messages(ctx, t, want))
		},
	})
}
