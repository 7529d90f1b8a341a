package otlptest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/proto"

	"github.com/streamll/streamll-go/internal/otlptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func request(t *testing.T) []byte {
	t.Helper()
	msg := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: bytes.Repeat([]byte{1}, 16), SpanId: bytes.Repeat([]byte{2}, 8), Name: "s",
			StartTimeUnixNano: 1e18, EndTimeUnixNano: 1e18 + 5,
			Attributes: []*commonpb.KeyValue{{Key: "k", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_KvlistValue{
				KvlistValue: &commonpb.KeyValueList{Values: []*commonpb.KeyValue{{Key: "n", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: 3}}}}},
			}}}},
		}}}},
	}}}
	b, err := proto.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, url string, body []byte, gz bool) *http.Response {
	t.Helper()
	if gz {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		_, _ = w.Write(body)
		_ = w.Close()
		body = buf.Bytes()
	}
	req, _ := http.NewRequest(http.MethodPost, url+otlptest.TracesPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-protobuf")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp
}

func TestReceiverDecodesAndAnswersAsTold(t *testing.T) {
	defer http.DefaultClient.CloseIdleConnections()
	r := otlptest.New(t)
	for _, gz := range []bool{false, true} {
		if resp := post(t, r.URL(), request(t), gz); resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	spans := r.Wait(ctx, 2)
	if len(spans) != 2 || spans[0].Name != "s" || spans[0].End.Sub(spans[0].Start) != 5 ||
		spans[0].Attrs["k"].(map[string]any)["n"] != int64(3) || spans[0].ParentSpanID != "" {
		t.Fatalf("spans %+v", spans)
	}
	r.Answer(func(*http.Request) otlptest.Reply { return otlptest.Reply{Status: http.StatusServiceUnavailable} })
	if resp := post(t, r.URL(), request(t), false); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	if resp := post(t, r.URL(), []byte("not protobuf"), false); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d for a malformed body, want 400", resp.StatusCode)
	}
	if n := len(r.Spans()); n != 2 {
		t.Errorf("%d spans kept, want 2: refused requests keep nothing", n)
	}
	if reqs := r.Requests(); len(reqs) != 4 || reqs[3].Decoded {
		t.Errorf("requests %+v", reqs)
	}
}
