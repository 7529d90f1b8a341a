package otelsink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// The quickstart's RAG call becomes one trace of three spans: forward at the
// root, retrieval and the LLM call as its children, each with the ids,
// attributes, events and times of the events it came from.
func TestRAGExecutionIsOneTraceOfThreeSpans(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{ServiceName: "chatbot"})
	b, mem := newBus(t, s)
	ids, err := rag(context.Background(), b, "What does streamll-go do?", map[string]string{"customer_id": "c-42"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := closeBus(b); err != nil {
		t.Fatal(err)
	}
	spans := byExecution(t, waitSpans(t, rcv, 3))
	root, retrieval, llm := spans[ids.forward], spans[ids.retrieval], spans[ids.llm]

	traceID := otelsink.TraceIDFor(ids.forward).String()
	for name, sp := range map[string]otlptest.Span{"forward": root, "retrieval": retrieval, "llm_call": llm} {
		if sp.TraceID != traceID {
			t.Errorf("%s: trace %s, want %s (derived from the top-level execution id)", name, sp.TraceID, traceID)
		}
		if sp.Resource["service.name"] != "chatbot" || sp.Scope != otelsink.ScopeName {
			t.Errorf("%s: resource %v, scope %q", name, sp.Resource, sp.Scope)
		}
		if sp.Attrs["customer_id"] != "c-42" {
			t.Errorf("%s: tag customer_id = %v, want c-42 (tags are attributes)", name, sp.Attrs["customer_id"])
		}
		if sp.StatusCode != tracepb.Status_STATUS_CODE_UNSET {
			t.Errorf("%s: status %v, want unset", name, sp.StatusCode)
		}
	}

	// The tree.
	cases := []struct {
		name   string
		span   otlptest.Span
		id     string
		parent string
		title  string
		kind   tracepb.Span_SpanKind
	}{
		{"forward", root, ids.forward, "", "ChatBot.forward", tracepb.Span_SPAN_KIND_INTERNAL},
		{"retrieval", retrieval, ids.retrieval, ids.forward, "ChatBot.retrieval", tracepb.Span_SPAN_KIND_INTERNAL},
		{"llm_call", llm, ids.llm, ids.forward, "llm_call simulated-llm", tracepb.Span_SPAN_KIND_CLIENT},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sp := c.span
			if sp.SpanID != otelsink.SpanIDFor(c.id).String() {
				t.Errorf("span id %s, want SpanIDFor(%s)", sp.SpanID, c.id)
			}
			wantParent := ""
			if c.parent != "" {
				wantParent = otelsink.SpanIDFor(c.parent).String()
			}
			if sp.ParentSpanID != wantParent {
				t.Errorf("parent span %q, want %q", sp.ParentSpanID, wantParent)
			}
			if c.parent != "" && sp.Attrs["streamll.parent_id"] != c.parent {
				t.Errorf("streamll.parent_id = %v, want %s", sp.Attrs["streamll.parent_id"], c.parent)
			}
			if sp.Name != c.title || sp.Kind != c.kind {
				t.Errorf("name %q kind %v, want %q %v", sp.Name, sp.Kind, c.title, c.kind)
			}
			if sp.Attrs["streamll.module"] != "ChatBot" || sp.Attrs["streamll.method"] != "forward" || sp.Attrs["streamll.operation"] != c.name {
				t.Errorf("module/method/operation = %v/%v/%v", sp.Attrs["streamll.module"], sp.Attrs["streamll.method"], sp.Attrs["streamll.operation"])
			}
			// The span's times are its start and end events' timestamps.
			evs := eventsOf(mem, c.id)
			if !sp.Start.Equal(evs[events.TypeStart].Timestamp) || !sp.End.Equal(evs[events.TypeEnd].Timestamp) {
				t.Errorf("span %v – %v, want the events' %v – %v", sp.Start, sp.End, evs[events.TypeStart].Timestamp, evs[events.TypeEnd].Timestamp)
			}
			if sp.Attrs["streamll.start_event_id"] != evs[events.TypeStart].EventID || sp.Attrs["streamll.end_event_id"] != evs[events.TypeEnd].EventID {
				t.Errorf("event ids %v %v", sp.Attrs["streamll.start_event_id"], sp.Attrs["streamll.end_event_id"])
			}
		})
	}

	// Children lie within their parent, in the order they ran.
	for _, child := range []otlptest.Span{retrieval, llm} {
		if child.Start.Before(root.Start) || child.End.After(root.End) {
			t.Errorf("%s (%v – %v) is not within forward (%v – %v)", child.Name, child.Start, child.End, root.Start, root.End)
		}
	}
	if !retrieval.End.Before(llm.Start) && !retrieval.End.Equal(llm.Start) {
		t.Errorf("retrieval ends at %v, after the LLM call starts at %v", retrieval.End, llm.Start)
	}

	// Data: the start's and end's data are attributes, custom events span events.
	if retrieval.Attrs["question"] != "What does streamll-go do?" {
		t.Errorf("retrieval question = %v", retrieval.Attrs["question"])
	}
	if len(retrieval.Events) != 1 || retrieval.Events[0].Name != "docs_found" || retrieval.Events[0].Attrs["count"] != int64(1) {
		t.Errorf("retrieval events = %+v, want one docs_found with count 1", retrieval.Events)
	}
	if ev := retrieval.Events[0]; ev.Time.Before(retrieval.Start) || ev.Time.After(retrieval.End) {
		t.Errorf("docs_found at %v, outside its span", ev.Time)
	}
	want := map[string]any{
		"gen_ai.request.model":       "simulated-llm",
		"gen_ai.response.model":      "simulated-llm",
		"gen_ai.usage.input_tokens":  int64(15),
		"gen_ai.usage.output_tokens": int64(13),
		"documents":                  int64(1),
		"streamll.tokens":            int64(len(answerTokens)),
	}
	for k, v := range want {
		if llm.Attrs[k] != v {
			t.Errorf("llm_call %s = %#v, want %#v", k, llm.Attrs[k], v)
		}
	}
	if _, ok := llm.Attrs["duration_seconds"]; ok {
		t.Error("duration_seconds is an attribute; the span's own duration says it")
	}
	// Token timing, not token events, by default.
	if len(llm.Events) != 0 {
		t.Errorf("llm_call has %d span events, want none (TokenEvents is off)", len(llm.Events))
	}
	ttfc, _ := llm.Attrs["gen_ai.response.time_to_first_chunk"].(float64)
	ttlt, _ := llm.Attrs["streamll.time_to_last_token"].(float64)
	dur := llm.End.Sub(llm.Start).Seconds()
	if !(ttfc > 0 && ttfc <= ttlt && ttlt <= dur) {
		t.Errorf("time to first chunk %v, to last token %v, duration %v: want 0 < first ≤ last ≤ duration", ttfc, ttlt, dur)
	}
	if ttlt < float64(len(answerTokens)-1)*time.Millisecond.Seconds() {
		t.Errorf("time to last token %v is shorter than the tokens' sleeps", ttlt)
	}
}

// An execution that fails has an error status, an exception event at the
// error, and error.type.
func TestErrorExecution(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{})
	b, mem := newBus(t, s)
	ids, err := rag(context.Background(), b, "What does streamll-go do?", nil, errors.New("model overloaded"))
	if err == nil {
		t.Fatal("rag did not fail")
	}
	if err := closeBus(b); err != nil {
		t.Fatal(err)
	}
	spans := byExecution(t, waitSpans(t, rcv, 3))
	for _, id := range []string{ids.llm, ids.forward} { // the error ends both
		sp := spans[id]
		errEv := eventsOf(mem, id)[events.TypeError]
		if sp.StatusCode != tracepb.Status_STATUS_CODE_ERROR || sp.StatusText != "model overloaded" {
			t.Errorf("%s: status %v %q, want error %q", sp.Name, sp.StatusCode, sp.StatusText, "model overloaded")
		}
		if len(sp.Events) != 1 || sp.Events[0].Name != "exception" {
			t.Fatalf("%s: events %+v, want one exception", sp.Name, sp.Events)
		}
		ex := sp.Events[0]
		if ex.Attrs["exception.type"] != "*errors.errorString" || ex.Attrs["exception.message"] != "model overloaded" || !ex.Time.Equal(errEv.Timestamp) {
			t.Errorf("%s: exception %+v at %v, want *errors.errorString, the message, at %v", sp.Name, ex.Attrs, ex.Time, errEv.Timestamp)
		}
		if sp.Attrs["error.type"] != "*errors.errorString" {
			t.Errorf("%s: error.type = %v", sp.Name, sp.Attrs["error.type"])
		}
		if _, ok := sp.Attrs["error_message"]; ok {
			t.Errorf("%s: error_message is an attribute; the status and exception carry it", sp.Name)
		}
		if !sp.End.Equal(errEv.Timestamp) {
			t.Errorf("%s ends at %v, want the error's %v", sp.Name, sp.End, errEv.Timestamp)
		}
	}
	if r := spans[ids.retrieval]; r.StatusCode != tracepb.Status_STATUS_CODE_UNSET {
		t.Errorf("retrieval status %v, want unset: it succeeded", r.StatusCode)
	}
}
