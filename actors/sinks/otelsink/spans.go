package otelsink

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/events"
)

// Attributes the sink sets besides the events' data and tags. See the span
// mapping in the package documentation.
const (
	attrExecutionID       = "streamll.execution_id"
	attrParentID          = "streamll.parent_id"
	attrOperation         = "streamll.operation"
	attrModule            = "streamll.module"
	attrMethod            = "streamll.method"
	attrStartEventID      = "streamll.start_event_id"
	attrEndEventID        = "streamll.end_event_id"
	attrEventID           = "streamll.event_id"
	attrTokens            = "streamll.tokens"
	attrTimeToLastToken   = "streamll.time_to_last_token"
	attrIncomplete        = "streamll.incomplete"
	attrStartMissing      = "streamll.start_missing"
	attrSpanEventsDropped = "streamll.span_events_dropped"
)

// Data keys with a meaning of their own.
const (
	// keyErrorKind is the error.type an llmhttp error event carries (the
	// provider's error type).
	keyErrorKind = "error.type"
	// keyTimeToFirstToken is llmhttp's time_to_first_token_seconds, measured
	// from the request; it is exported as gen_ai.response.time_to_first_chunk.
	keyTimeToFirstToken = "time_to_first_token_seconds"
	// keyGenAISystem is gen_ai.system, which semconv 1.37 renamed
	// gen_ai.provider.name; both are exported.
	keyGenAISystem = events.KeyGenAISystem
)

// startAttributes converts a start event's data, leaving out the keys that
// only say where the span belongs.
func startAttributes(data map[string]any) []attribute.KeyValue {
	attrs := appendData(nil, data, func(k string) bool {
		return k == events.KeyTraceID || k == events.KeyParentSpanID
	})
	return withProviderName(attrs, data)
}

// endAttributes converts an end or error event's data, leaving out what the
// span says otherwise: its duration, its status and exception event, its
// time to first chunk.
func endAttributes(data map[string]any) []attribute.KeyValue {
	attrs := appendData(nil, data, func(k string) bool {
		switch k {
		case events.KeyDurationSeconds, events.KeyErrorType, events.KeyErrorMessage, keyTimeToFirstToken:
			return true
		}
		return false
	})
	return withProviderName(attrs, data)
}

func withProviderName(attrs []attribute.KeyValue, data map[string]any) []attribute.KeyValue {
	if sys, ok := data[keyGenAISystem].(string); ok {
		if _, has := data[string(semconv.GenAIProviderNameKey)]; !has {
			attrs = append(attrs, semconv.GenAIProviderNameKey.String(sys))
		}
	}
	return attrs
}

// collector is the SDK span processor of the sink: it keeps each span the
// builder ends, synchronously, for the export that follows.
type collector struct {
	spans []sdktrace.ReadOnlySpan
}

func (c *collector) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *collector) OnEnd(s sdktrace.ReadOnlySpan)                   { c.spans = append(c.spans, s) }
func (c *collector) Shutdown(context.Context) error                  { return nil }
func (c *collector) ForceFlush(context.Context) error                { return nil }

// builder turns finished executions into SDK spans, with the ids the
// tracker derived.
type builder struct {
	tracer          trace.Tracer
	collector       *collector
	incompleteAfter time.Duration
	attrs           []attribute.KeyValue // reused
}

// build returns the spans of fs, valid until the next build.
func (b *builder) build(fs []finished) []sdktrace.ReadOnlySpan {
	clear(b.collector.spans)
	b.collector.spans = b.collector.spans[:0]
	for i := range fs {
		b.span(&fs[i])
	}
	return b.collector.spans
}

func (b *builder) span(f *finished) {
	r, e := f.r, f.end
	ctx := context.WithValue(context.Background(), idsKey{}, ids{trace: r.traceID, span: r.spanID})
	if r.parent.IsValid() {
		ctx = trace.ContextWithSpanContext(ctx, trace.NewSpanContext(trace.SpanContextConfig{
			TraceID: r.traceID, SpanID: r.parent, TraceFlags: trace.FlagsSampled, Remote: r.remote,
		}))
	}
	genAIOp, model := r.genAIOp, r.model
	if e != nil {
		genAIOp, model = cmpOr(genAIOp, e.genAIOp), cmpOr(model, e.model)
	}
	kind := trace.SpanKindInternal
	if genAIOp != "" || model != "" {
		kind = trace.SpanKindClient // a call to a model provider
	}
	_, span := b.tracer.Start(ctx, spanName(r, genAIOp, model),
		trace.WithTimestamp(r.start), trace.WithSpanKind(kind), trace.WithAttributes(b.attributes(f)...))
	for _, ev := range r.events {
		span.AddEvent(ev.name, trace.WithTimestamp(ev.at), trace.WithAttributes(ev.attrs...))
	}
	end := r.last
	switch {
	case f.incomplete != "":
		span.SetStatus(codes.Error, b.incompleteText(f.incomplete))
	case e.failed:
		span.AddEvent(semconv.ExceptionEventName, trace.WithTimestamp(e.at), trace.WithAttributes(
			semconv.ExceptionType(cmpOr(e.errType, "error")),
			semconv.ExceptionMessage(e.errMsg),
		))
		span.SetStatus(codes.Error, e.errMsg)
	}
	if e != nil {
		end = e.at
	}
	span.End(trace.WithTimestamp(end))
}

func (b *builder) incompleteText(why string) string {
	if why == incompleteTimeout {
		return fmt.Sprintf("incomplete: no end event, and no event for %v", b.incompleteAfter)
	}
	return "incomplete: the sink closed before the execution ended"
}

// attributes lists a span's attributes: streamll's own, then the tags, the
// start's data and the end's data (a later one wins over an earlier one of
// the same name).
func (b *builder) attributes(f *finished) []attribute.KeyValue {
	r, e := f.r, f.end
	a := b.attrs[:0]
	a = append(a, attribute.String(attrExecutionID, r.id))
	if r.parentID != "" {
		a = append(a, attribute.String(attrParentID, r.parentID))
	}
	if r.operation != "" {
		a = append(a, attribute.String(attrOperation, r.operation))
	}
	if r.module != "" {
		a = append(a, attribute.String(attrModule, r.module))
	}
	if r.method != "" {
		a = append(a, attribute.String(attrMethod, r.method))
	}
	if r.startSeen {
		if r.startEventID != "" {
			a = append(a, attribute.String(attrStartEventID, r.startEventID))
		}
	} else {
		a = append(a, attribute.Bool(attrStartMissing, true))
	}
	a = appendTags(a, r.tags)
	a = append(a, r.startAttrs...)
	if e != nil {
		a = append(a, e.attrs...)
		if e.eventID != "" {
			a = append(a, attribute.String(attrEndEventID, e.eventID))
		}
		if e.failed {
			a = append(a, semconv.ErrorTypeKey.String(cmpOr(e.kind, e.errType, "error")))
		}
	}
	if r.tokens > 0 {
		a = append(a, attribute.Int64(attrTokens, r.tokens),
			attribute.Float64(attrTimeToLastToken, r.lastToken.Sub(r.start).Seconds()))
	}
	switch {
	case e != nil && e.hasTTFT:
		a = append(a, semconv.GenAIResponseTimeToFirstChunkKey.Float64(e.ttft))
	case r.tokens > 0:
		a = append(a, semconv.GenAIResponseTimeToFirstChunkKey.Float64(r.firstToken.Sub(r.start).Seconds()))
	}
	if r.dropped > 0 {
		a = append(a, attribute.Int(attrSpanEventsDropped, r.dropped))
	}
	if f.incomplete != "" {
		a = append(a, attribute.String(attrIncomplete, f.incomplete), semconv.ErrorTypeKey.String("incomplete"))
	}
	b.attrs = a
	return a
}

// spanName follows the GenAI conventions for model calls,
// "{gen_ai.operation.name} {gen_ai.request.model}" (the execution's operation
// stands in for a missing gen_ai.operation.name), and is "Module.operation"
// for every other execution.
func spanName(r *record, genAIOp, model string) string {
	if genAIOp != "" || model != "" {
		op := cmpOr(genAIOp, r.operation, "llm_call")
		if model == "" {
			return op
		}
		return op + " " + model
	}
	switch {
	case r.module != "" && r.operation != "":
		return r.module + "." + r.operation
	case r.operation != "":
		return r.operation
	case r.module != "" && r.method != "":
		return r.module + "." + r.method
	}
	return "execution"
}

func cmpOr(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
