package bus_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// callerContext returns ctx carrying a valid, sampled OpenTelemetry span
// context, as an instrumented HTTP handler's context would.
func callerContext(t *testing.T) (context.Context, trace.SpanContext) {
	t.Helper()
	tid, err := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	if err != nil {
		t.Fatal(err)
	}
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true})
	return trace.ContextWithRemoteSpanContext(context.Background(), sc), sc
}

func TestStartRecordsTheCallersSpan(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	ctx, sc := callerContext(t)
	data := map[string]any{"question": "why?"}
	ctx, outer := b.Start(ctx, bus.Op{Operation: "forward", Data: data})
	_, inner := b.Start(ctx, bus.Op{Operation: "retrieval"})
	inner.End(nil)
	outer.End(nil)
	_, plain := b.Start(context.Background(), bus.Op{Operation: "no_span", Data: data})
	plain.End(nil)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if len(data) != 1 {
		t.Errorf("Op.Data was modified: %v", data)
	}
	starts := map[string]map[string]any{}
	for _, ev := range f.events() {
		if ev.EventType == events.TypeStart {
			starts[ev.Operation] = ev.Data
		}
	}
	cases := []struct {
		op             string
		trace, parent  any
		keepsOtherData bool
	}{
		{"forward", sc.TraceID().String(), sc.SpanID().String(), true},
		{"retrieval", sc.TraceID().String(), nil, false},
		{"no_span", nil, nil, true},
	}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			d := starts[c.op]
			if d[events.KeyTraceID] != c.trace {
				t.Errorf("%s = %v, want %v", events.KeyTraceID, d[events.KeyTraceID], c.trace)
			}
			if d[events.KeyParentSpanID] != c.parent {
				t.Errorf("%s = %v, want %v", events.KeyParentSpanID, d[events.KeyParentSpanID], c.parent)
			}
			if c.keepsOtherData && d["question"] != "why?" {
				t.Errorf("data = %v, want the Op's data kept", d)
			}
		})
	}
}

// An invalid span context (a context with no span, or a non-recording span
// without ids) adds nothing, so the start event is the Op's data as it is.
func TestStartWithoutAValidSpanAddsNothing(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	ctx := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	_, ex := b.Start(ctx, bus.Op{Operation: "x"})
	ex.End(nil)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if d := f.events()[0].Data; len(d) != 0 {
		t.Errorf("start data = %v, want none", d)
	}
}
