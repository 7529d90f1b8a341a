// Package otelsink exports executions as OpenTelemetry spans over OTLP/HTTP,
// so that Jaeger, Grafana Tempo, an OpenTelemetry Collector, Langfuse or
// LangSmith show LLM calls next to a team's other traces.
//
//	s, err := otelsink.New(otelsink.Config{
//		Endpoint:    "http://localhost:4318", // OTLP/HTTP; /v1/traces is appended
//		ServiceName: "chatbot",
//	})
//
// It uses the official OpenTelemetry Go SDK and its OTLP/HTTP trace exporter
// (protobuf), and follows the OpenTelemetry semantic conventions v1.41.0
// (go.opentelemetry.io/otel/semconv/v1.41.0), GenAI attributes included.
//
// # Executions become spans
//
// One execution is one span, from its start event to its end or error
// event. The sink holds each open execution (its start's data, token counts,
// custom events) until it ends, then builds the span with the SDK and
// exports it. A nested execution (parent_id) is a child span of its parent.
//
//	event                    span
//	start                    start time; the data as attributes; name, kind
//	token                    streamll.tokens (a count) and, from the first and
//	                         last token, gen_ai.response.time_to_first_chunk and
//	                         streamll.time_to_last_token; with Config.TokenEvents
//	                         also a span event "token" each
//	custom (docs_found...)   a span event of that name, the data as its attributes
//	end                      end time; the data as attributes (usage, model,
//	                         finish reasons); status unset
//	error                    end time; status Error with error_message; an
//	                         "exception" span event (exception.type = error_type,
//	                         exception.message); error.type
//
// Every span has streamll.execution_id, streamll.parent_id (when nested),
// streamll.operation, streamll.module, streamll.method,
// streamll.start_event_id and streamll.end_event_id, and the execution's
// tags as attributes under their own names (customer_id, or user.id and
// session.id for Langfuse). Data keys become attributes under their own
// names: the gen_ai.* keys of the events package and of llmhttp are GenAI
// semantic-convention attributes already; gen_ai.system is also exported as
// gen_ai.provider.name, its name since semconv 1.37, and llmhttp's
// time_to_first_token_seconds as gen_ai.response.time_to_first_chunk.
// duration_seconds, error_type and error_message are not repeated as
// attributes. Values keep their JSON types: nested objects become key-value
// lists, arrays become arrays, and what JSON cannot carry (NaN, a channel)
// becomes the wire format's "!unsupported:..." placeholder.
//
// A model call, an execution whose start names gen_ai.operation.name or
// gen_ai.request.model, is a client span named
// "{gen_ai.operation.name} {gen_ai.request.model}" (the operation stands in
// for a missing gen_ai.operation.name: "llm_call gpt-4o"); any other span
// is internal and named "Module.operation" ("ChatBot.retrieval").
//
// # Trace and span ids
//
// Ids are derived, not random, so that the same execution exported by two
// processes is one span in one trace: a span's id is the first 8 bytes of
// SHA-256("streamll-span:" + execution_id) (SpanIDFor), and a trace's id the
// first 16 bytes of SHA-256("streamll-trace:" + execution_id) of its
// top-level execution (TraceIDFor). A nested execution is in its parent's
// trace; if this sink never saw the parent start (a filter, a drop), it is
// put in the trace TraceIDFor(parent_id), still under the parent's span id.
//
// When a top-level execution starts in a context that carries an
// OpenTelemetry span (an instrumented HTTP handler, a job's span), the bus
// records that span in the start event (trace_id, parent_span_id; see the
// wire format), and the execution's span becomes its child, in its trace,
// with every nested execution.
//
// # Executions that never end
//
// An execution that has had no event of its own, and no nested execution
// started or ended, for Config.IncompleteAfter (10 minutes) is ended as
// incomplete: its span ends at its last event, with status Error
// "incomplete: ...", streamll.incomplete = "timeout" and error.type
// "incomplete". Time here is the events' own (the latest timestamp seen,
// never ahead of the clock), so an outage that held events back in the
// host's buffer makes nothing look abandoned when they arrive. The sink
// looks for such executions whenever a Write comes, and Close
// ends every execution still open the same way (streamll.incomplete =
// "closed"). A later event of such an execution is ignored (counted in
// Stats.Ignored), so its span is never exported twice.
//
// At most Config.MaxOpen executions (10000) are held open; a start beyond
// that is refused and counted (Stats.Refused, and a warning), and that
// execution's span is made from its end event alone when it comes: it
// starts duration_seconds before the end and has streamll.start_missing, as
// has any execution whose start this sink did not see. Span events beyond
// Config.MaxSpanEvents per execution are counted, not kept. Memory therefore
// stays bounded: MaxOpen executions of at most MaxSpanEvents events each.
//
// # Delivery
//
// Each Write takes its batch into the open executions and exports the spans
// of those that ended, in one request: the batch is delivered when the
// receiver accepts that request. Start, token and custom events are
// delivered when the sink holds them; their content leaves with their
// execution's span. The exporter's own retry and queue are off: the host's
// buffer, retry and circuit breaker take their place, and a failed Write
// leaves the open executions exactly as they were, so the host's retry of
// the same batch makes the same spans and none twice.
//
//   - No answer (connection refused or cut, a timeout, the context ended),
//     408, 429 and every 5xx: an error; the host retries the batch, behind
//     its breaker.
//   - Any other 4xx (400 malformed, 401 or 403 credentials, 404 path, 413 too
//     large): an error marked sinks.Permanent; the host drops the batch and
//     counts it, and the spans are counted in Stats.Lost.
//   - 2xx with an OTLP partial success: delivered; the rejected spans are
//     counted in Stats.Rejected and logged.
//
// The sink reads no OTEL_* environment variable: every exporter setting
// comes from Config, so that what the program says is what it does. Call
// EnvConfig to read the standard OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_HEADERS, OTEL_SERVICE_NAME and their friends into a
// Config. Header values and the endpoint's password never appear in an
// error, a log line, Name or Health.
//
// # Where to send spans
//
//   - An OpenTelemetry Collector, Jaeger (1.35 and later) or Grafana Tempo:
//     Endpoint "http://host:4318".
//   - Langfuse: Endpoint "https://cloud.langfuse.com/api/public/otel" (or
//     your instance's /api/public/otel), with the project's public and secret
//     keys as Basic authentication: in the URL,
//     https://pk-lf-...:sk-lf-...@cloud.langfuse.com/api/public/otel, or as
//     an Authorization header.
//   - LangSmith: Endpoint "https://api.smith.langchain.com/otel", Headers
//     {"x-api-key": key, "Langsmith-Project": project}.
package otelsink
