package events

// Data keys of a start event that link an execution to the OpenTelemetry
// trace of the code that started it. The bus writes them when the context
// given to Start carries a valid OpenTelemetry span; the otelsink package
// reads them to make the execution's span a child of that span.
const (
	// KeyTraceID is the W3C trace id (32 lowercase hex digits) of the caller's
	// OpenTelemetry span. It is on the start event of every execution of a
	// tree whose top-level execution started inside such a span.
	KeyTraceID = "trace_id"
	// KeyParentSpanID is the span id (16 lowercase hex digits) of the
	// caller's OpenTelemetry span, the parent of the execution's span. It is
	// on the start event of the top-level execution only: a nested
	// execution's parent is its parent execution.
	KeyParentSpanID = "parent_span_id"
)
