package bus

import (
	"context"
	"maps"

	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/events"
)

// callerSpan returns the OpenTelemetry span an execution starting in ctx
// belongs under: for a top-level execution, the valid span ctx carries (the
// caller's, such as an HTTP server span); for a nested one, its parent's, so
// that every execution of a tree names the same trace. The zero SpanContext
// means none.
func callerSpan(ctx context.Context, parent *Execution) trace.SpanContext {
	if parent != nil {
		return parent.caller
	}
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return trace.SpanContext{}
	}
	return sc
}

// withCallerSpan returns the start event's data with the caller's trace id,
// and for a top-level execution the caller's span id, added (see
// events.KeyTraceID). data itself is never modified: when there is something
// to add it is copied.
func withCallerSpan(data map[string]any, sc trace.SpanContext, topLevel bool) map[string]any {
	if !sc.IsValid() {
		return data
	}
	d := make(map[string]any, len(data)+2)
	maps.Copy(d, data)
	d[events.KeyTraceID] = sc.TraceID().String()
	if topLevel {
		d[events.KeyParentSpanID] = sc.SpanID().String()
	}
	return d
}
