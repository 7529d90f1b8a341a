package llmhttp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestTokensAndCost checks the end event's tokens (the seed's key, input
// plus output) and its cost: local from the embedded catalog, the
// provider's own figure when the response carries one, unpriced (and no
// amount) for a model the catalog lacks.
func TestTokensAndCost(t *testing.T) {
	catalog := llmhttp.BuiltinCatalog().Version()
	tests := []struct {
		name, path, request string
		reply               reply
		want                map[string]any
		absent              []string
	}{
		{
			name: "openai stream, cached input", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			// gpt-4o-mini: 8 input at 0.15, 4 cached at 0.075, 3 output at 0.60 per million.
			want: map[string]any{events.KeyTokens: 15, events.KeyGenAIUsageCost: 3.3e-06,
				events.KeyGenAIUsageCostCurrency: "USD", events.KeyGenAIUsageCostSource: "local", llmhttp.KeyGenAIUsageCostCatalog: catalog},
		},
		{
			name: "anthropic, cache writes", path: "/v1/messages", request: `{"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`,
			reply: jsonReply(200, anthropicResponse),
			// 2095 input at 3, 5 cache writes at 3.75, 503 output at 15 per million.
			want: map[string]any{events.KeyTokens: 2603, events.KeyGenAIUsageCost: 0.01384875, events.KeyGenAIUsageCostSource: "local"},
		},
		{
			name: "responses", path: "/v1/responses", request: `{"model":"gpt-4.1","input":"Say hello"}`, reply: jsonReply(200, responsesResponse),
			want: map[string]any{events.KeyTokens: 380},
		},
		{
			name: "openrouter's own cost", path: "/api/v1/chat/completions", request: `{"model":"openai/gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			reply: jsonReply(200, `{"id":"gen-1","object":"chat.completion","model":"openai/gpt-4o","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],`+
				`"usage":{"completion_tokens":2,"completion_tokens_details":{"reasoning_tokens":0},"cost":0.95,"cost_details":{"upstream_inference_cost":19},`+
				`"prompt_tokens":194,"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":100,"audio_tokens":0},"total_tokens":196}}`),
			want:   map[string]any{events.KeyTokens: 196, events.KeyGenAIUsageCost: 0.95, events.KeyGenAIUsageCostSource: "provider", events.KeyGenAIUsageCostCurrency: "USD"},
			absent: []string{llmhttp.KeyGenAIUsageCostCatalog},
		},
		{
			name: "litellm's cost header", path: "/v1/chat/completions", request: `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			reply: reply{status: 200, contentType: "application/json", body: chatResponse,
				header: http.Header{"X-Litellm-Response-Cost": {"0.000415"}}},
			want: map[string]any{events.KeyGenAIUsageCost: 0.000415, events.KeyGenAIUsageCostSource: "provider"},
		},
		{
			name: "unpriced", path: "/api/chat", request: ollamaChatRequest, reply: ndjsonReply(ollamaChatStream),
			want:   map[string]any{events.KeyTokens: 308, events.KeyGenAIUsageCostSource: "unpriced"},
			absent: []string{events.KeyGenAIUsageCost, events.KeyGenAIUsageCostCurrency},
		},
		{
			name: "no usage reported", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStreamNoDone),
			absent: []string{events.KeyTokens, events.KeyGenAIUsageCost, events.KeyGenAIUsageCostSource},
		},
		{
			name: "reasoning tokens", path: "/v1/chat/completions", request: `{"model":"gpt-5-mini","messages":[{"role":"user","content":"hi"}]}`,
			reply: jsonReply(200, `{"id":"c","object":"chat.completion","model":"gpt-5-mini-2025-08-07","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],`+
				`"usage":{"prompt_tokens":10,"completion_tokens":200,"total_tokens":210,"completion_tokens_details":{"reasoning_tokens":192}}}`),
			// gpt-5-mini: 10 input at 0.25, 200 output (reasoning included) at 2 per million.
			want: map[string]any{events.KeyTokens: 210, llmhttp.KeyGenAIUsageReasoningOutputTokens: 192, events.KeyGenAIUsageCost: 0.0004025},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, evs := roundTrip(t, llmhttp.Config{}, tt.reply, tt.path, tt.request)
			end := last(t, evs)
			if end.EventType != events.TypeEnd {
				t.Fatalf("events %q", types(evs))
			}
			checkData(t, "end", end.Data, tt.want, tt.absent...)
			for _, ev := range evs[:len(evs)-1] {
				if _, ok := ev.Data[events.KeyTokens]; ok {
					t.Errorf("%s event carries tokens: only the end does", ev.EventType)
				}
			}
		})
	}
}

// TestPricesFromConfig checks that Config.Prices overrides the catalog: a
// local model priced at zero costs 0, not unpriced.
func TestPricesFromConfig(t *testing.T) {
	prices, err := llmhttp.BuiltinCatalog().With(llmhttp.Price{Model: "llama3.2", Source: "self-hosted"})
	if err != nil {
		t.Fatal(err)
	}
	_, evs := roundTrip(t, llmhttp.Config{Prices: prices}, ndjsonReply(ollamaChatStream), "/api/chat", ollamaChatRequest)
	checkData(t, "end", last(t, evs).Data, map[string]any{
		events.KeyGenAIUsageCost: 0, events.KeyGenAIUsageCostSource: "local",
		llmhttp.KeyGenAIUsageCostCatalog: llmhttp.BuiltinCatalog().Version() + "+custom",
	})
}

// TestIncludeUsage checks Config.IncludeUsage: a streamed Chat Completions
// request gains stream_options.include_usage, the rest of its bytes
// unchanged; anything else is sent exactly as the caller made it.
func TestIncludeUsage(t *testing.T) {
	tests := []struct {
		name, request, want string
		off                 bool
	}{
		{"added", `{"model":"gpt-4o-mini","stream":true,"messages":[]}`,
			`{"model":"gpt-4o-mini","stream":true,"messages":[],"stream_options":{"include_usage":true}}`, false},
		{"white space kept", "{\n  \"model\": \"m\",\n  \"stream\": true,\n  \"messages\": []\n}\n",
			"{\n  \"model\": \"m\",\n  \"stream\": true,\n  \"messages\": []\n,\"stream_options\":{\"include_usage\":true}}\n", false},
		{"into stream_options", `{"model":"m","stream":true,"stream_options":{"x":1},"messages":[]}`,
			`{"model":"m","stream":true,"stream_options":{"include_usage":true,"x":1},"messages":[]}`, false},
		{"empty stream_options", `{"model":"m","stream":true,"stream_options":{},"messages":[]}`,
			`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}`, false},
		{"null stream_options", `{"model":"m","stream":true,"stream_options":null,"messages":[]}`,
			`{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[]}`, false},
		{"the caller said no", `{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[]}`,
			`{"model":"m","stream":true,"stream_options":{"include_usage":false},"messages":[]}`, false},
		{"not streamed", `{"model":"m","messages":[]}`, `{"model":"m","messages":[]}`, false},
		{"option off", `{"model":"m","stream":true,"messages":[]}`, `{"model":"m","stream":true,"messages":[]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent string
			var length int64
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				sent, length = string(b), r.ContentLength
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = io.WriteString(w, chatStream)
			}))
			b, mem := newBus(t)
			client := newClient(t, llmhttp.Config{Bus: b, IncludeUsage: !tt.off})
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions", strings.NewReader(tt.request))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if sent != tt.want || length != int64(len(tt.want)) {
				t.Errorf("server got %q (Content-Length %d), want %q", sent, length, tt.want)
			}
			closeBus(t, b)
			if evs := mem.Events(); len(evs) == 0 || evs[0].EventType != events.TypeStart {
				t.Errorf("events %q", types(evs))
			}
		})
	}
}
