package llmhttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// echo answers with the request's method, path and body.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
})

// TestOtherRequestsPassThrough checks that requests that are not LLM calls
// reach the server unchanged and emit nothing.
func TestOtherRequestsPassThrough(t *testing.T) {
	tests := []struct {
		name, method, path, body string
		noBus                    bool
	}{
		{name: "list models", method: http.MethodGet, path: "/v1/models"},
		{name: "embeddings", method: http.MethodPost, path: "/v1/embeddings", body: `{"model":"text-embedding-3-small","input":"hi"}`},
		{name: "not JSON", method: http.MethodPost, path: "/v1/chat/completions", body: "model=gpt-4o&messages=hi"},
		{name: "JSON array", method: http.MethodPost, path: "/v1/chat/completions", body: `[{"messages":[]}]`},
		{name: "no body", method: http.MethodPost, path: "/v1/chat/completions"},
		{name: "a chat app's messages", method: http.MethodPost, path: "/api/rooms/7/messages", body: `{"text":"hi","messages":[]}`},
		{name: "assistants thread message", method: http.MethodPost, path: "/v1/threads/t1/messages", body: `{"role":"user","content":"hi"}`},
		{name: "count tokens", method: http.MethodPost, path: "/v1/messages/count_tokens", body: anthropicRequest},
		{name: "no bus anywhere", method: http.MethodPost, path: "/v1/chat/completions", body: chatRequest, noBus: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, echo)
			b, mem := newBus(t)
			cfg := llmhttp.Config{Bus: b}
			if tt.noBus {
				cfg.Bus = nil // and no execution in the context, no default bus
			}
			client := newClient(t, cfg)
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, srv.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if want := tt.method + " " + tt.path + " " + tt.body; err != nil || string(got) != want {
				t.Fatalf("server saw %q, %v; want %q", got, err, want)
			}
			closeBus(t, b)
			if evs := mem.Events(); len(evs) != 0 {
				t.Fatalf("emitted %q, want nothing", types(evs))
			}
		})
	}
}

// trackedBody is a request body that is neither a bytes nor a strings
// reader, so http.NewRequest sets no GetBody, and that records its Close.
type trackedBody struct {
	io.Reader
	closed bool
}

func (b *trackedBody) Close() error { b.closed = true; return nil }

// TestMiddleware drives the SDK middleware the way openai-go and
// anthropic-sdk-go do, with no network: the next handler sees the same body
// and a working GetBody, the caller's request is left alone, and the SDK's
// retry header becomes http.request.resend_count.
func TestMiddleware(t *testing.T) {
	b, mem := newBus(t)
	var mw func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) = llmhttp.Middleware(llmhttp.Config{Bus: b})

	orig := &trackedBody{Reader: strings.NewReader(chatRequest)}
	req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", orig)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Stainless-Retry-Count", "2")
	next := func(r *http.Request) (*http.Response, error) {
		for i := range 2 {
			body, err := io.ReadAll(r.Body)
			if err != nil || string(body) != chatRequest {
				t.Errorf("next read body %d: %q, %v; want the caller's", i, body, err)
			}
			if r.GetBody == nil {
				return nil, errors.New("GetBody is nil")
			}
			if r.Body, err = r.GetBody(); err != nil {
				return nil, err
			}
		}
		return &http.Response{
			StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(chatResponse)), ContentLength: -1, Request: r,
		}, nil
	}
	resp, err := mw(req, next)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	if err != nil || string(got) != chatResponse {
		t.Fatalf("caller read %q, %v", got, err)
	}
	_ = resp.Body.Close()
	if !orig.closed {
		t.Error("the caller's request body was not closed")
	}
	if req.Body != orig || req.GetBody != nil {
		t.Error("the caller's request was modified")
	}
	closeBus(t, b)

	evs := mem.Events()
	if types(evs) != "start end" {
		t.Fatalf("events %q, want start end", types(evs))
	}
	checkData(t, "start", evs[0].Data, map[string]any{
		llmhttp.KeyHTTPResendCount: 2, events.KeyGenAISystem: "openai", llmhttp.KeyServerAddress: "api.openai.com",
	})
	checkData(t, "end", evs[1].Data, map[string]any{events.KeyGenAIUsageOutputTokens: 46})
	if evs[0].MethodName != "chat_completions" {
		t.Errorf("method_name %q, want chat_completions", evs[0].MethodName)
	}
}

// TestJoinsTheCallersExecution checks that a call made inside an execution
// is recorded as its child, on its bus, with its tags.
func TestJoinsTheCallersExecution(t *testing.T) {
	srv := newServer(t, stream(chatStream))
	b, mem := newBus(t)
	client := newClient(t, llmhttp.Config{}) // no Bus: the context's

	ctx, outer := b.Start(context.Background(), bus.Op{Operation: "forward", Module: "ChatBot",
		Tags: map[string]string{"customer_id": "c-42"}})
	resp := post(t, ctx, client, srv.URL+"/v1/chat/completions", chatRequest)
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	outer.End(nil)
	closeBus(t, b)

	evs := mem.Events()
	if types(evs) != "start start token token token end end" {
		t.Fatalf("events %q", types(evs))
	}
	for _, ev := range evs[1:6] {
		if ev.ParentID != outer.ID() || ev.Tags["customer_id"] != "c-42" || ev.ModuleName != "llm" {
			t.Errorf("%s: parent %q tags %v module %q; want parent %q, customer_id c-42, module llm",
				ev.EventType, ev.ParentID, ev.Tags, ev.ModuleName, outer.ID())
		}
	}
}

// failingBody fails after some bytes.
type failingBody struct{ sent bool }

func (f *failingBody) Read(p []byte) (int, error) {
	if f.sent {
		return 0, errBodyBroke
	}
	f.sent = true
	return copy(p, `{"model":`), nil
}

var errBodyBroke = errors.New("body broke")

func TestFailures(t *testing.T) {
	t.Run("transport error", func(t *testing.T) {
		srv := newServer(t, echo)
		url := srv.URL
		srv.Close() // nothing listens there now
		b, mem := newBus(t)
		client := newClient(t, llmhttp.Config{Bus: b})
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/chat/completions", strings.NewReader(chatRequest))
		if resp, err := client.Do(req); err == nil {
			_ = resp.Body.Close()
			t.Fatal("request to a closed server succeeded")
		}
		closeBus(t, b)
		evs := mem.Events()
		if types(evs) != "start error" {
			t.Fatalf("events %q, want start error", types(evs))
		}
		if msg, _ := evs[1].Data[events.KeyErrorMessage].(string); !strings.Contains(msg, "connect") {
			t.Errorf("error_message %q, want the dial error", msg)
		}
	})
	t.Run("request body fails", func(t *testing.T) {
		srv := newServer(t, echo)
		b, mem := newBus(t)
		client := newClient(t, llmhttp.Config{Bus: b})
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", &failingBody{})
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, errBodyBroke) {
			t.Fatalf("got %v, want the body's error", err)
		}
		closeBus(t, b)
		if evs := mem.Events(); len(evs) != 0 {
			t.Fatalf("emitted %q for a request that could not be read", types(evs))
		}
	})
}

// TestLargeRequestBodies checks that a body over the 16 MiB the middleware
// inspects is still sent whole and unchanged, and the call still recorded.
func TestLargeRequestBodies(t *testing.T) {
	big := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("x", 16<<20) + `"}]}`
	tests := []struct {
		name string
		body func() io.Reader
	}{
		{"declared length", func() io.Reader { return strings.NewReader(big) }},
		{"unknown length", func() io.Reader { return struct{ io.Reader }{strings.NewReader(big)} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, mem := newBus(t)
			mw := llmhttp.Middleware(llmhttp.Config{Bus: b})
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/chat/completions", tt.body())
			if err != nil {
				t.Fatal(err)
			}
			next := func(r *http.Request) (*http.Response, error) {
				got, err := io.ReadAll(r.Body)
				if err != nil || string(got) != big {
					t.Errorf("next read %d bytes, %v; want the %d bytes sent", len(got), err, len(big))
				}
				return &http.Response{StatusCode: http.StatusOK, Header: http.Header{},
					Body: io.NopCloser(strings.NewReader(chatResponse))}, nil
			}
			resp, err := mw(req, next)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			closeBus(t, b)
			evs := mem.Events()
			if types(evs) != "start end" {
				t.Fatalf("events %q, want start end", types(evs))
			}
			checkData(t, "start", evs[0].Data, map[string]any{llmhttp.KeyParseError: "request body over 16 MiB not inspected"},
				events.KeyGenAIRequestModel)
			checkData(t, "end", evs[1].Data, map[string]any{events.KeyGenAIUsageOutputTokens: 46})
		})
	}
}
