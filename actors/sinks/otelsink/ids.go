package otelsink

import (
	"context"
	"crypto/sha256"

	"go.opentelemetry.io/otel/trace"
)

// TraceIDFor returns the trace id of the trace whose top-level execution is
// executionID: the first 16 bytes of SHA-256("streamll-trace:" + executionID).
// Every process that exports the same execution computes the same id, so its
// spans land in one trace; a consumer in another language can compute it too.
func TraceIDFor(executionID string) trace.TraceID {
	sum := sha256.Sum256([]byte("streamll-trace:" + executionID))
	var id trace.TraceID
	copy(id[:], sum[:])
	if !id.IsValid() { // all zero: not a valid W3C trace id
		id[len(id)-1] = 1
	}
	return id
}

// SpanIDFor returns the span id of execution executionID: the first 8 bytes
// of SHA-256("streamll-span:" + executionID). A nested execution's parent
// span is therefore known from its parent_id alone.
func SpanIDFor(executionID string) trace.SpanID {
	sum := sha256.Sum256([]byte("streamll-span:" + executionID))
	var id trace.SpanID
	copy(id[:], sum[:])
	if !id.IsValid() {
		id[len(id)-1] = 1
	}
	return id
}

// ids carries the ids the next span must get from the SDK's IDGenerator.
type ids struct {
	trace trace.TraceID
	span  trace.SpanID
}

type idsKey struct{}

// fixedIDs is the SDK IDGenerator of the sink: it hands out the ids the sink
// derived for the span being started, which travel in its context.
type fixedIDs struct{}

// NewIDs returns the ids of a span without a parent.
func (fixedIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	v, _ := ctx.Value(idsKey{}).(ids)
	return v.trace, v.span
}

// NewSpanID returns the id of a span with a parent in trace traceID.
func (fixedIDs) NewSpanID(ctx context.Context, _ trace.TraceID) trace.SpanID {
	v, _ := ctx.Value(idsKey{}).(ids)
	return v.span
}
