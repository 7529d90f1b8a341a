package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/internal/otlptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The example sends each question's executions, as one trace of three
// spans, to the receiver OTEL_EXPORTER_OTLP_ENDPOINT names, with the
// headers OTEL_EXPORTER_OTLP_HEADERS gives, and prints the trace ids.
func TestExportsTheQuickstartsTraces(t *testing.T) {
	rcv := otlptest.New(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", rcv.URL())
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=example-key")
	t.Setenv("OTEL_SERVICE_NAME", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())

	spans := rcv.Spans()
	if len(spans) != 3*len(questions) {
		t.Fatalf("received %d spans, want %d", len(spans), 3*len(questions))
	}
	traceIDs := regexp.MustCompile(`(?m)^trace ([0-9a-f]{32})$`).FindAllStringSubmatch(out.String(), -1)
	if len(traceIDs) != len(questions) {
		t.Fatalf("printed %d trace ids, want %d:\n%s", len(traceIDs), len(questions), out.String())
	}
	for _, m := range traceIDs {
		var names []string
		var root string
		for _, sp := range spans {
			if sp.TraceID != m[1] {
				continue
			}
			names = append(names, sp.Name)
			if sp.ParentSpanID == "" {
				root = sp.SpanID
			}
			if sp.Resource["service.name"] != "streamll-quickstart" {
				t.Errorf("service.name %v", sp.Resource["service.name"])
			}
		}
		if len(names) != 3 || root == "" {
			t.Errorf("trace %s: spans %v, want forward, retrieval and the LLM call under one root", m[1], names)
		}
		for _, sp := range spans {
			if sp.TraceID == m[1] && sp.ParentSpanID != "" && sp.ParentSpanID != root {
				t.Errorf("%s is not a child of the root", sp.Name)
			}
		}
	}
	for _, r := range rcv.Requests() {
		if r.Header.Get("x-api-key") != "example-key" {
			t.Errorf("request without the header of OTEL_EXPORTER_OTLP_HEADERS: %v", r.Header)
		}
	}
	if !strings.Contains(out.String(), "6 spans exported to otlp:"+rcv.Addr()+" (0 lost)") {
		t.Errorf("summary missing:\n%s", out.String())
	}
}
