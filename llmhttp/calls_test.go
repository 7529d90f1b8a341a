package llmhttp_test

import (
	"context"
	"io"
	"slices"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestCalls replays each provider's documented responses through an
// instrumented client: the caller reads the server's bytes unchanged, and the
// events say what happened.
func TestCalls(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		request    string
		reply      reply
		wantStart  map[string]any
		wantTokens []string
		wantLast   events.Type
		wantEnd    map[string]any
		absent     []string // keys the last event must not have
	}{
		{
			name: "chat stream", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			wantStart: map[string]any{
				events.KeyGenAIOperationName: "chat", events.KeyGenAISystem: "openai_compatible",
				events.KeyGenAIRequestModel: "gpt-4o-mini", llmhttp.KeyGenAIRequestStream: true,
				events.KeyGenAIRequestMaxTokens: 50, events.KeyGenAIRequestTemperature: 0.2,
				llmhttp.KeyServerAddress: "127.0.0.1",
			},
			wantTokens: []string{"Hello", ",", " world"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel: "gpt-4o-mini-2024-07-18", events.KeyGenAIResponseID: "chatcmpl-123",
				events.KeyGenAIResponseFinishReasons: []string{"stop"},
				events.KeyGenAIUsageInputTokens:      12, events.KeyGenAIUsageOutputTokens: 3,
				llmhttp.KeyGenAIUsageCacheReadInputTokens: 4, llmhttp.KeyHTTPStatusCode: 200,
				llmhttp.KeyGenAICompletion: "Hello, world",
			},
			absent: []string{llmhttp.KeyParseError, llmhttp.KeyStreamIncomplete},
		},
		{
			name: "chat", path: "/v1/chat/completions", request: `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			reply:     jsonReply(200, chatResponse),
			wantStart: map[string]any{events.KeyGenAIRequestModel: "gpt-4o", llmhttp.KeyGenAIRequestStream: false},
			wantLast:  events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel: "gpt-4o-2024-08-06", events.KeyGenAIResponseFinishReasons: []string{"stop"},
				events.KeyGenAIUsageInputTokens: 1117, events.KeyGenAIUsageOutputTokens: 46,
				llmhttp.KeyGenAICompletion: "Hello, world",
			},
			absent: []string{llmhttp.KeyTimeToFirstToken, llmhttp.KeyParseError},
		},
		{
			name: "legacy completions stream", path: "/v1/completions", request: `{"model":"Qwen/Qwen2.5-1.5B","prompt":"Say hello","stream":true}`,
			reply:      stream(completionsStream),
			wantStart:  map[string]any{events.KeyGenAIOperationName: "text_completion"},
			wantTokens: []string{"Hello", ", world"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseFinishReasons: []string{"length"},
				events.KeyGenAIUsageInputTokens:      4, events.KeyGenAIUsageOutputTokens: 3,
			},
		},
		{
			name: "responses stream", path: "/v1/responses", request: responsesRequest, reply: stream(responsesStream),
			wantStart: map[string]any{
				events.KeyGenAIOperationName: "chat", events.KeyGenAIRequestModel: "gpt-4.1",
				llmhttp.KeyGenAIRequestStream: true, events.KeyGenAIRequestMaxTokens: 64,
			},
			wantTokens: []string{"Hello", ",", " world"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel: "gpt-4.1-2025-04-14", events.KeyGenAIResponseID: "resp_67c9fdcecf",
				events.KeyGenAIResponseFinishReasons: []string{"completed"},
				events.KeyGenAIUsageInputTokens:      37, events.KeyGenAIUsageOutputTokens: 3,
				llmhttp.KeyGenAICompletion: "Hello, world",
			},
		},
		{
			name: "responses", path: "/v1/responses", request: `{"model":"gpt-4.1","input":"Say hello"}`,
			reply:    jsonReply(200, responsesResponse),
			wantLast: events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel:    "gpt-4.1-2025-04-14",
				events.KeyGenAIUsageInputTokens: 328, events.KeyGenAIUsageOutputTokens: 52,
				llmhttp.KeyGenAICompletion: "Hello, world",
			},
		},
		{
			name: "responses stream failed", path: "/v1/responses", request: responsesRequest, reply: stream(responsesFailedStream),
			wantLast: events.TypeError,
			wantEnd: map[string]any{
				events.KeyErrorType: "*llmhttp.APIError", llmhttp.KeyProviderErrorType: "server_error",
				events.KeyErrorMessage: "llmhttp: HTTP 200: server_error: The model failed to generate a response.",
			},
		},
		{
			name: "responses error event", path: "/v1/responses", request: responsesRequest, reply: stream(responsesErrorStream),
			wantLast: events.TypeError,
			wantEnd:  map[string]any{llmhttp.KeyProviderErrorType: "ERR_SOMETHING", llmhttp.KeyHTTPStatusCode: 200},
		},
		{
			name: "anthropic stream", path: "/v1/messages", request: anthropicRequest, reply: stream(anthropicStream),
			wantStart: map[string]any{
				events.KeyGenAISystem: "anthropic", events.KeyGenAIRequestModel: "claude-sonnet-4-5",
				events.KeyGenAIRequestMaxTokens: 1024, llmhttp.KeyGenAIRequestStream: true,
			},
			wantTokens: []string{"Hello", ",", " world"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel:              "claude-sonnet-4-5-20250929",
				events.KeyGenAIResponseFinishReasons:      []string{"end_turn"},
				events.KeyGenAIUsageInputTokens:           35, // 25 + 10 read from the cache
				events.KeyGenAIUsageOutputTokens:          15,
				llmhttp.KeyGenAIUsageCacheReadInputTokens: 10, llmhttp.KeyGenAIUsageCacheCreationInputTokens: 0,
				llmhttp.KeyGenAICompletion: "Hello, world",
			},
		},
		{
			name: "anthropic", path: "/v1/messages", request: `{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"hi"}]}`,
			reply:    jsonReply(200, anthropicResponse),
			wantLast: events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseID:       "msg_013Zva2CMHLNnXjNJJKqJ2EF",
				events.KeyGenAIUsageInputTokens: 2100, events.KeyGenAIUsageOutputTokens: 503,
				events.KeyGenAIResponseFinishReasons: []string{"end_turn"}, llmhttp.KeyGenAICompletion: "Hello, world",
			},
		},
		{
			name: "anthropic stream error event", path: "/v1/messages", request: anthropicRequest, reply: stream(anthropicErrorStream),
			wantTokens: []string{"Hello"},
			wantLast:   events.TypeError,
			wantEnd: map[string]any{
				llmhttp.KeyProviderErrorType: "overloaded_error", llmhttp.KeyHTTPStatusCode: 200,
				events.KeyErrorMessage: "llmhttp: HTTP 200: overloaded_error: Overloaded",
			},
		},
		{
			name: "openai rate limit", path: "/v1/chat/completions", request: chatRequest, reply: jsonReply(429, openAIRateLimit),
			wantLast: events.TypeError,
			wantEnd: map[string]any{
				events.KeyErrorType: "*llmhttp.APIError", llmhttp.KeyHTTPStatusCode: 429, llmhttp.KeyProviderErrorType: "rate_limit_exceeded",
			},
			absent: []string{llmhttp.KeyStreamIncomplete},
		},
		{
			name: "anthropic overloaded", path: "/v1/messages", request: anthropicRequest, reply: jsonReply(529, anthropicOver),
			wantLast: events.TypeError,
			wantEnd: map[string]any{
				llmhttp.KeyHTTPStatusCode: 529, llmhttp.KeyProviderErrorType: "overloaded_error",
				events.KeyErrorMessage: "llmhttp: HTTP 529: overloaded_error: Overloaded",
			},
		},
		{
			name: "vLLM not found", path: "/v1/chat/completions", request: chatRequest, reply: jsonReply(404, vLLMBadRequest),
			wantLast: events.TypeError,
			wantEnd:  map[string]any{llmhttp.KeyProviderErrorType: "NotFoundError"},
		},
		{
			name: "ollama error string", path: "/v1/chat/completions", request: chatRequest, reply: jsonReply(404, ollamaNotFound),
			wantLast: events.TypeError,
			wantEnd: map[string]any{
				llmhttp.KeyProviderErrorType: "404",
				events.KeyErrorMessage:       `llmhttp: HTTP 404: model "llama9" not found, try pulling it first`,
			},
		},
		{
			name: "proxy HTML error", path: "/v1/chat/completions", request: chatRequest,
			reply:    reply{status: 502, contentType: "text/html", body: proxyHTML},
			wantLast: events.TypeError,
			wantEnd: map[string]any{
				llmhttp.KeyProviderErrorType: "502", events.KeyErrorMessage: "llmhttp: HTTP 502 Bad Gateway",
			},
		},
		{
			name: "malformed chunk", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStreamMalformed),
			wantTokens: []string{"Hello", " world"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseFinishReasons: []string{"stop"},
				llmhttp.KeyParseError:                "chunk: unexpected end of JSON input",
			},
		},
		{
			name: "stream without [DONE]", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStreamNoDone),
			wantTokens: []string{"Hello", " world"},
			wantLast:   events.TypeEnd,
			wantEnd:    map[string]any{events.KeyGenAIResponseFinishReasons: []string{"stop"}},
		},
		{
			name: "stream ended early", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStreamTruncated),
			wantTokens: []string{"Hello"},
			wantLast:   events.TypeError,
			wantEnd: map[string]any{
				events.KeyErrorType: "*llmhttp.IncompleteError", llmhttp.KeyStreamIncomplete: true,
				llmhttp.KeyGenAICompletion: "Hello",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.reply)
			b, mem := newBus(t)
			client := newClient(t, llmhttp.Config{Bus: b, CaptureContent: true})

			resp := post(t, context.Background(), client, srv.URL+tt.path, tt.request)
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("reading the body: %v", err)
			}
			if err := resp.Body.Close(); err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.reply.body {
				t.Fatalf("the caller read\n%q\nwant the server's bytes\n%q", got, tt.reply.body)
			}
			closeBus(t, b)

			evs := mem.Events()
			if len(evs) < 2 {
				t.Fatalf("got events %q, want start ... end", types(evs))
			}
			start, last := evs[0], evs[len(evs)-1]
			if start.EventType != events.TypeStart || last.EventType != tt.wantLast {
				t.Fatalf("events %q: want start first and %s last", types(evs), tt.wantLast)
			}
			if toks := tokenTexts(evs); !slices.Equal(toks, tt.wantTokens) || len(evs) != len(toks)+2 {
				t.Errorf("events %q, tokens %q; want start, tokens %q, %s", types(evs), toks, tt.wantTokens, tt.wantLast)
			}
			for _, ev := range evs {
				if ev.ExecutionID != start.ExecutionID || ev.Operation != llmhttp.Operation || ev.ModuleName != "llm" {
					t.Errorf("event %s: execution %s operation %q module %q; want %s llm_call llm",
						ev.EventType, ev.ExecutionID, ev.Operation, ev.ModuleName, start.ExecutionID)
				}
			}
			checkData(t, "start", start.Data, tt.wantStart)
			checkData(t, string(last.EventType), last.Data, tt.wantEnd, tt.absent...)
			if _, ok := last.Data[events.KeyDurationSeconds]; !ok {
				t.Errorf("%s has no duration_seconds", last.EventType)
			}
			if len(tt.wantTokens) > 0 && last.EventType == events.TypeEnd {
				if _, ok := last.Data[llmhttp.KeyTimeToFirstToken]; !ok {
					t.Errorf("end of a stream has no %s", llmhttp.KeyTimeToFirstToken)
				}
			}
		})
	}
}
