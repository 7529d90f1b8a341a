package otlptest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// TracesPath is where the receiver takes spans, as every OTLP/HTTP receiver.
const TracesPath = "/v1/traces"

// maxBody bounds a request body, compressed or not.
const maxBody = 64 << 20

// Span is one received span, decoded into plain values. Attribute values are
// string, bool, int64, float64, []byte, []any, map[string]any, or nil for
// an empty value.
type Span struct {
	Resource     map[string]any
	Scope        string
	SchemaURL    string // the scope's
	TraceID      string // 32 hex digits
	SpanID       string // 16 hex digits
	ParentSpanID string // "" for a root span
	ParentRemote bool   // the span's flags say its parent is remote
	Name         string
	Kind         tracepb.Span_SpanKind
	Start, End   time.Time
	Attrs        map[string]any
	Events       []Event
	StatusCode   tracepb.Status_StatusCode
	StatusText   string

	DroppedAttributes, DroppedEvents uint32
}

// Event is a span event.
type Event struct {
	Name  string
	Time  time.Time
	Attrs map[string]any
}

// Request is what the receiver saw of one export request.
type Request struct {
	Path    string
	Header  http.Header
	Spans   int
	Decoded bool // the body was a valid ExportTraceServiceRequest
}

// Reply is how the receiver answers a request. The zero Reply accepts it.
type Reply struct {
	// Status is the HTTP status; 0 means 200. A status outside 2xx keeps
	// nothing of the request.
	Status int
	// Rejected and Message make a 200 a partial success: the spans are kept,
	// and the response says Rejected of them were rejected.
	Rejected int64
	Message  string
}

// Receiver is a running OTLP/HTTP trace receiver. Its methods are safe for
// concurrent use.
type Receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	spans    []Span
	requests []Request
	answer   func(*http.Request) Reply
	changed  chan struct{} // closed and replaced when spans grow
}

// New starts a receiver on 127.0.0.1 that is closed when t ends.
func New(t testing.TB) *Receiver {
	t.Helper()
	r := Start()
	t.Cleanup(r.Close)
	return r
}

// Start starts a receiver outside a test (for a benchmark's setup or an
// example's test helper); Close stops it.
func Start() *Receiver {
	r := &Receiver{changed: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	return r
}

// URL returns the receiver's base URL, http://127.0.0.1:port, which a sink
// takes as its Endpoint (spans go to URL + TracesPath).
func (r *Receiver) URL() string { return r.srv.URL }

// Addr returns the receiver's host:port.
func (r *Receiver) Addr() string { return r.srv.Listener.Addr().String() }

// Close stops the receiver and closes its connections.
func (r *Receiver) Close() { r.srv.Close() }

// Answer makes the receiver answer each later request as f says; nil
// restores accepting everything.
func (r *Receiver) Answer(f func(*http.Request) Reply) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}

// Spans returns the spans received so far, in arrival order.
func (r *Receiver) Spans() []Span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// Requests returns what the receiver saw of each request so far.
func (r *Receiver) Requests() []Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.requests)
}

// Wait returns the spans received once there are at least n of them, or
// what there is when ctx ends.
func (r *Receiver) Wait(ctx context.Context, n int) []Span {
	for {
		r.mu.Lock()
		if len(r.spans) >= n {
			spans := slices.Clone(r.spans)
			r.mu.Unlock()
			return spans
		}
		changed := r.changed
		r.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return r.Spans()
		}
	}
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	seen := Request{Path: req.URL.Path, Header: req.Header.Clone()}
	spans, err := decode(req)
	seen.Spans, seen.Decoded = len(spans), err == nil
	r.mu.Lock()
	r.requests = append(r.requests, seen)
	answer := r.answer
	r.mu.Unlock()

	switch {
	case req.Method != http.MethodPost || req.URL.Path != TracesPath:
		http.Error(w, "not an OTLP traces endpoint", http.StatusNotFound)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var reply Reply
	if answer != nil {
		reply = answer(req)
	}
	if reply.Status != 0 && reply.Status/100 != 2 {
		http.Error(w, fmt.Sprintf("told to answer %d", reply.Status), reply.Status)
		return
	}
	r.mu.Lock()
	r.spans = append(r.spans, spans...)
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()

	resp := &coltracepb.ExportTraceServiceResponse{}
	if reply.Rejected != 0 || reply.Message != "" {
		resp.PartialSuccess = &coltracepb.ExportTracePartialSuccess{RejectedSpans: reply.Rejected, ErrorMessage: reply.Message}
	}
	body, _ := proto.Marshal(resp)
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(max(reply.Status, http.StatusOK))
	_, _ = w.Write(body)
}

// decode reads an OTLP/HTTP protobuf export request.
func decode(req *http.Request) ([]Span, error) {
	if ct := req.Header.Get("Content-Type"); ct != "application/x-protobuf" {
		return nil, fmt.Errorf("content type %q is not application/x-protobuf", ct)
	}
	var body io.Reader = io.LimitReader(req.Body, maxBody)
	if req.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		body = io.LimitReader(zr, maxBody)
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var msg coltracepb.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &msg); err != nil {
		return nil, fmt.Errorf("not an ExportTraceServiceRequest: %w", err)
	}
	var spans []Span
	for _, rs := range msg.GetResourceSpans() {
		res := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				spans = append(spans, span(res, ss, sp))
			}
		}
	}
	return spans, nil
}

func span(res map[string]any, ss *tracepb.ScopeSpans, sp *tracepb.Span) Span {
	s := Span{
		Resource:          res,
		Scope:             ss.GetScope().GetName(),
		SchemaURL:         ss.GetSchemaUrl(),
		TraceID:           hex.EncodeToString(sp.GetTraceId()),
		SpanID:            hex.EncodeToString(sp.GetSpanId()),
		ParentSpanID:      hex.EncodeToString(sp.GetParentSpanId()),
		ParentRemote:      sp.GetFlags()&uint32(tracepb.SpanFlags_SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK) != 0,
		Name:              sp.GetName(),
		Kind:              sp.GetKind(),
		Start:             time.Unix(0, int64(sp.GetStartTimeUnixNano())).UTC(),
		End:               time.Unix(0, int64(sp.GetEndTimeUnixNano())).UTC(),
		Attrs:             attrs(sp.GetAttributes()),
		StatusCode:        sp.GetStatus().GetCode(),
		StatusText:        sp.GetStatus().GetMessage(),
		DroppedAttributes: sp.GetDroppedAttributesCount(),
		DroppedEvents:     sp.GetDroppedEventsCount(),
	}
	for _, e := range sp.GetEvents() {
		s.Events = append(s.Events, Event{
			Name:  e.GetName(),
			Time:  time.Unix(0, int64(e.GetTimeUnixNano())).UTC(),
			Attrs: attrs(e.GetAttributes()),
		})
	}
	return s
}

func attrs(kvs []*commonpb.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return m
}

func anyValue(v *commonpb.AnyValue) any {
	switch v := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return v.StringValue
	case *commonpb.AnyValue_BoolValue:
		return v.BoolValue
	case *commonpb.AnyValue_IntValue:
		return v.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return v.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return bytes.Clone(v.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		out := make([]any, 0, len(v.ArrayValue.GetValues()))
		for _, e := range v.ArrayValue.GetValues() {
			out = append(out, anyValue(e))
		}
		return out
	case *commonpb.AnyValue_KvlistValue:
		return attrs(v.KvlistValue.GetValues())
	}
	return nil
}
