package otelsink_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/otlptest"
	"github.com/streamll/streamll-go/llmhttp"
)

// chatStream is an OpenAI-compatible streamed chat completion with usage.
const chatStream = `data: {"id":"chatcmpl-1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"role":"assistant","content":"Hello"},"finish_reason":null}]}

data: {"id":"chatcmpl-1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":" world"},"finish_reason":null}]}

data: {"id":"chatcmpl-1","model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

data: {"id":"chatcmpl-1","model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":4}}}

data: [DONE]

`

// fakeProvider answers every request with a streamed chat completion, one
// event at a time, as llmhttp's own tests fake a provider.
func fakeProvider(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		for _, ev := range strings.SplitAfter(chatStream, "\n\n") {
			_, _ = io.WriteString(w, ev)
			w.(http.Flusher).Flush()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// An LLM call made through llmhttp becomes a GenAI client span named
// "chat {model}", nested in the caller's execution, with the request and
// response attributes of the GenAI conventions.
func TestLLMHTTPCallIsAGenAISpan(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{TokenEvents: true})
	b, mem := newBus(t, s)
	provider := fakeProvider(t)
	client := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b})}
	t.Cleanup(client.CloseIdleConnections)

	ctx, ex := b.Start(context.Background(), bus.Op{Module: "Agent", Method: "run", Operation: "answer"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, provider.URL+"/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"temperature":0.2,"messages":[{"role":"user","content":"Hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	ex.End(nil)
	if err := closeBus(b); err != nil {
		t.Fatal(err)
	}

	spans := waitSpans(t, rcv, 2)
	var call, parent otlptest.Span
	for _, sp := range spans {
		if sp.Attrs["streamll.operation"] == llmhttp.Operation {
			call = sp
		} else {
			parent = sp
		}
	}
	if call.Name != "chat gpt-4o-mini" || call.Kind != tracepb.Span_SPAN_KIND_CLIENT {
		t.Errorf("span %q kind %v, want %q client", call.Name, call.Kind, "chat gpt-4o-mini")
	}
	if call.ParentSpanID != parent.SpanID || call.TraceID != parent.TraceID {
		t.Errorf("the call is not a child of the execution it ran in")
	}
	want := map[string]any{
		"gen_ai.operation.name":                "chat",
		"gen_ai.system":                        "openai_compatible",
		"gen_ai.provider.name":                 "openai_compatible",
		"gen_ai.request.model":                 "gpt-4o-mini",
		"gen_ai.request.temperature":           0.2,
		"gen_ai.request.stream":                true,
		"gen_ai.response.model":                "gpt-4o-mini-2024-07-18",
		"gen_ai.response.id":                   "chatcmpl-1",
		"gen_ai.usage.input_tokens":            int64(12),
		"gen_ai.usage.output_tokens":           int64(2),
		"gen_ai.usage.cache_read.input_tokens": int64(4),
		"http.response.status_code":            int64(200),
		"streamll.tokens":                      int64(2),
		"streamll.module":                      "llm",
		"streamll.method":                      "chat_completions",
		"streamll.parent_id":                   parent.Attrs["streamll.execution_id"],
		"server.address":                       "127.0.0.1",
		events.KeyGenAIResponseFinishReasons:   []any{"stop"},
	}
	for k, v := range want {
		if got := call.Attrs[k]; !equal(got, v) {
			t.Errorf("%s = %#v, want %#v", k, got, v)
		}
	}
	// llmhttp measures the time to the first token from the request; the
	// sink exports it as the GenAI attribute.
	var end events.Event
	for _, ev := range mem.Events() {
		if ev.Operation == llmhttp.Operation && ev.EventType == events.TypeEnd {
			end = ev
		}
	}
	if got, want := call.Attrs["gen_ai.response.time_to_first_chunk"], end.Data[llmhttp.KeyTimeToFirstToken]; got != want || got == nil {
		t.Errorf("gen_ai.response.time_to_first_chunk = %v, want llmhttp's %v", got, want)
	}
	// TokenEvents: one span event per token, in order, with its index.
	if len(call.Events) != 2 {
		t.Fatalf("span events %+v, want 2 tokens", call.Events)
	}
	for i, e := range call.Events {
		if e.Name != "token" || e.Attrs["token_index"] != int64(i) || e.Attrs["field"] != "completion" || e.Attrs["token_chars"] == nil {
			t.Errorf("token event %d = %+v", i, e)
		}
		if _, text := e.Attrs["token"]; text {
			t.Errorf("token event %d carries the text, but llmhttp does not capture content", i)
		}
	}
}

func equal(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

// An execution started inside an OpenTelemetry span (an instrumented HTTP
// handler's, say) is that span's child, in its trace, and so are the
// executions nested in it.
func TestCallerSpanIsTheParent(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{})
	b, _ := newBus(t, s)
	tid, _ := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	sid, _ := trace.SpanIDFromHex("00f067aa0ba902b7")
	caller := trace.ContextWithRemoteSpanContext(context.Background(),
		trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid, TraceFlags: trace.FlagsSampled, Remote: true}))
	ids, err := rag(caller, b, "What does streamll-go do?", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := closeBus(b); err != nil {
		t.Fatal(err)
	}
	spans := byExecution(t, waitSpans(t, rcv, 3))
	root := spans[ids.forward]
	if root.TraceID != tid.String() || root.ParentSpanID != sid.String() || !root.ParentRemote {
		t.Errorf("root: trace %s parent %s remote %v, want the caller's %s %s, remote", root.TraceID, root.ParentSpanID, root.ParentRemote, tid, sid)
	}
	for _, id := range []string{ids.retrieval, ids.llm} {
		sp := spans[id]
		if sp.TraceID != tid.String() || sp.ParentSpanID != root.SpanID || sp.ParentRemote {
			t.Errorf("%s: trace %s parent %s, want the caller's trace under the root %s", sp.Name, sp.TraceID, sp.ParentSpanID, root.SpanID)
		}
	}
	for _, sp := range spans {
		if _, ok := sp.Attrs[events.KeyTraceID]; ok {
			t.Errorf("%s: trace_id is an attribute; it is the span's trace", sp.Name)
		}
	}
}
