package otelsink_test

import (
	"context"
	"slices"
	"testing"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// The sink passes the conformance suite: each sink exports to a receiver of
// its own, and Received reads the events back out of the spans (a start at
// the span's start, a span event per custom event, an end or error at its
// end). A span carries an execution, not each event's every field, so
// events are compared on their type and operation (TypeAndOperationOnly),
// and the suite writes whole executions (WholeExecutions), since a span
// leaves when its execution ends.
func TestConformance(t *testing.T) {
	var receivers sinktest.Destinations[*otlptest.Receiver]
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		rcv := otlptest.New(t)
		s, err := otelsink.New(otelsink.Config{Endpoint: via.URL(rcv.URL(), "")})
		if err != nil {
			t.Fatal(err)
		}
		return receivers.Add(s, rcv)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			rcv := receivers.Of(s)
			for {
				spans := rcv.Spans()
				evs := eventsFromSpans(spans)
				if len(evs) >= want || ctx.Err() != nil {
					return evs
				}
				rcv.Wait(ctx, len(spans)+1)
			}
		},
		Features: sinktest.Features{TypeAndOperationOnly: true, WholeExecutions: true},
	})
}

// eventsFromSpans reads back, in time order, the events the spans were made
// of.
func eventsFromSpans(spans []otlptest.Span) []events.Event {
	var evs []events.Event
	for _, sp := range spans {
		op, _ := sp.Attrs["streamll.operation"].(string)
		id, _ := sp.Attrs["streamll.execution_id"].(string)
		if missing, _ := sp.Attrs["streamll.start_missing"].(bool); !missing {
			evs = append(evs, events.Event{ExecutionID: id, Operation: op, EventType: events.TypeStart, Timestamp: sp.Start})
		}
		for _, e := range sp.Events {
			if e.Name == "exception" || e.Name == "token" {
				continue
			}
			evs = append(evs, events.Event{ExecutionID: id, Operation: op, EventType: events.Type(e.Name), Timestamp: e.Time})
		}
		if _, incomplete := sp.Attrs["streamll.incomplete"]; incomplete {
			continue // its end is the sink's, not an event
		}
		end := events.TypeEnd
		if sp.StatusCode == tracepb.Status_STATUS_CODE_ERROR {
			end = events.TypeError
		}
		evs = append(evs, events.Event{ExecutionID: id, Operation: op, EventType: end, Timestamp: sp.End})
	}
	slices.SortStableFunc(evs, func(a, b events.Event) int { return a.Timestamp.Compare(b.Timestamp) })
	return evs
}
