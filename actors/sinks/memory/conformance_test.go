package memory_test

import (
	"context"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestConformance(t *testing.T) {
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			s, err := memory.New(memory.Config{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			m := s.(*memory.Sink)
			if err := m.Wait(ctx, want); err != nil {
				t.Log(err)
			}
			return m.Events()
		},
	})
}
