package sinkurl

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/otlptest"
)

func TestParseOTLPConfig(t *testing.T) {
	cases := []struct {
		name string
		spec string
		want otelsink.Config
	}{
		{"collector", "otlp+http://localhost:4318", otelsink.Config{Endpoint: "http://localhost:4318"}},
		{
			"Langfuse with its keys as the user and password",
			"otlp+https://pk-lf-1:sk-lf-2@cloud.langfuse.com/api/public/otel?service=chatbot",
			otelsink.Config{Endpoint: "https://pk-lf-1:sk-lf-2@cloud.langfuse.com/api/public/otel", ServiceName: "chatbot"},
		},
		{
			"LangSmith headers",
			"otlp+https://api.smith.langchain.com/otel?header=x-api-key:lsv2_pt_1&header=Langsmith-Project:%20demo",
			otelsink.Config{Endpoint: "https://api.smith.langchain.com/otel", Headers: map[string]string{"x-api-key": "lsv2_pt_1", "Langsmith-Project": "demo"}},
		},
		{
			"every setting",
			"otlp+http://h:4318?gzip&incomplete_after=1m&max_open=50&token_events=true&max_span_events=-1&types=end|error&buffer=500",
			otelsink.Config{Endpoint: "http://h:4318", Gzip: true, IncompleteAfter: time.Minute,
				MaxOpen: 50, TokenEvents: true, MaxSpanEvents: -1, Options: sinks.Options{BufferSize: 500}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			it := newItem("test", 1)
			got := parseConfig(it, c.spec)
			if len(it.errs) > 0 {
				t.Fatalf("errors: %v", it.errs)
			}
			cfg, ok := got.(otelsink.Config)
			if !ok {
				t.Fatalf("got %T", got)
			}
			filter := cfg.Filter
			cfg.Filter, c.want.Filter = nil, nil
			if !reflect.DeepEqual(cfg, c.want) {
				t.Errorf("got  %+v\nwant %+v", cfg, c.want)
			}
			if (filter != nil) != (c.name == "every setting") {
				t.Errorf("filter %v", filter != nil)
			}
		})
	}
}

// A sink built from an otlp+http:// item exports to that receiver, with its
// headers.
func TestOTLPRoundTrip(t *testing.T) {
	rcv := otlptest.New(t)
	list, err := Parse("otlp+" + rcv.URL() + "?service=chatbot&header=x-api-key:k1")
	if err != nil {
		t.Fatal(err)
	}
	s := list[0]
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Write(ctx, sinktest.MakeExecutions(3, "url")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	spans := rcv.Spans()
	if len(spans) != 1 || spans[0].Resource["service.name"] != "chatbot" || rcv.Requests()[0].Header.Get("x-api-key") != "k1" {
		t.Errorf("spans %+v", spans)
	}
	if n := s.(sinks.Namer).Name(); n != "otlp:"+rcv.Addr() {
		t.Errorf("name %q", n)
	}
}
