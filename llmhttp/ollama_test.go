package llmhttp_test

import (
	"slices"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestOllamaNativeAPI replays Ollama's documented /api/chat and
// /api/generate responses: NDJSON streams (Ollama streams unless the
// request says "stream": false) and whole responses.
func TestOllamaNativeAPI(t *testing.T) {
	tests := []struct {
		name, path, request string
		reply               reply
		wantMethod          string
		wantStart           map[string]any
		wantTokens          []string
		wantLast            events.Type
		wantEnd             map[string]any
	}{
		{
			name: "chat stream", path: "/api/chat", request: ollamaChatRequest, reply: ndjsonReply(ollamaChatStream),
			wantMethod: "ollama_chat",
			wantStart: map[string]any{
				events.KeyGenAISystem: llmhttp.SystemOllama, events.KeyGenAIOperationName: "chat",
				events.KeyGenAIRequestModel: "llama3.2", llmhttp.KeyGenAIRequestStream: true,
				events.KeyGenAIRequestTemperature: 0.5, events.KeyGenAIRequestMaxTokens: 64,
			},
			wantTokens: []string{"The", " sky", " is blue."},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseModel: "llama3.2", events.KeyGenAIResponseFinishReasons: []string{"stop"},
				events.KeyGenAIUsageInputTokens: 26, events.KeyGenAIUsageOutputTokens: 282, events.KeyTokens: 308,
				llmhttp.KeyGenAICompletion: "The sky is blue.",
			},
		},
		{
			name: "generate stream", path: "/api/generate", request: ollamaGenerateRequest, reply: ndjsonReply(ollamaGenerateStream),
			wantMethod: "ollama_generate",
			wantStart: map[string]any{
				events.KeyGenAIOperationName: "text_completion", llmhttp.KeyGenAIRequestStream: true,
				llmhttp.KeyGenAIPrompt: `{"system":"Be brief.","prompt":"Why is the sky blue?"}`,
			},
			wantTokens: []string{"The", " sky"},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIResponseFinishReasons: []string{"length"},
				events.KeyGenAIUsageInputTokens:      26, events.KeyGenAIUsageOutputTokens: 259,
			},
		},
		{
			name: "chat, not streamed", path: "/api/chat",
			request: `{"model":"llama3.2","messages":[{"role":"user","content":"why is the sky blue?"}],"stream":false}`,
			reply: jsonReply(200, `{"model":"llama3.2","created_at":"2023-12-12T14:13:43.416799Z","message":{"role":"assistant","content":"Hello! How are you today?"},`+
				`"done":true,"total_duration":5191566416,"load_duration":2154458,"prompt_eval_count":26,"prompt_eval_duration":383809000,"eval_count":298,"eval_duration":4799921000}`),
			wantMethod: "ollama_chat",
			wantStart:  map[string]any{llmhttp.KeyGenAIRequestStream: false},
			wantLast:   events.TypeEnd,
			wantEnd: map[string]any{
				events.KeyGenAIUsageInputTokens: 26, events.KeyGenAIUsageOutputTokens: 298,
				llmhttp.KeyGenAICompletion: "Hello! How are you today?", events.KeyGenAIResponseFinishReasons: []string{"stop"},
			},
		},
		{
			name: "error in the stream", path: "/api/chat", request: ollamaChatRequest, reply: ndjsonReply(ollamaStreamError),
			wantMethod: "ollama_chat",
			wantTokens: []string{"The"},
			wantLast:   events.TypeError,
			wantEnd: map[string]any{
				events.KeyErrorType:    "*llmhttp.APIError",
				events.KeyErrorMessage: "llmhttp: HTTP 200: an error was encountered while running the model: unexpected EOF",
			},
		},
		{
			name: "model not found", path: "/api/chat", request: ollamaChatRequest, reply: jsonReply(404, ollamaNotFound),
			wantMethod: "ollama_chat",
			wantLast:   events.TypeError,
			wantEnd: map[string]any{
				llmhttp.KeyHTTPStatusCode: 404, llmhttp.KeyProviderErrorType: "404",
				events.KeyErrorMessage: `llmhttp: HTTP 404: model "llama9" not found, try pulling it first`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, evs := roundTrip(t, llmhttp.Config{CaptureContent: true}, tt.reply, tt.path, tt.request)
			if got != tt.reply.body {
				t.Fatalf("the caller read %q, want the server's bytes", got)
			}
			if len(evs) < 2 || evs[0].EventType != events.TypeStart || last(t, evs).EventType != tt.wantLast {
				t.Fatalf("events %q, want start ... %s", types(evs), tt.wantLast)
			}
			if evs[0].MethodName != tt.wantMethod {
				t.Errorf("method_name %q, want %q", evs[0].MethodName, tt.wantMethod)
			}
			if toks := tokenTexts(evs); !slices.Equal(toks, tt.wantTokens) {
				t.Errorf("tokens %q, want %q", toks, tt.wantTokens)
			}
			checkData(t, "start", evs[0].Data, tt.wantStart)
			checkData(t, string(tt.wantLast), last(t, evs).Data, tt.wantEnd)
		})
	}
}

// TestOllamaModelLoadsPassThrough checks that requests that only load or
// unload a model (no messages, no prompt) are not recorded as LLM calls.
func TestOllamaModelLoadsPassThrough(t *testing.T) {
	for _, tt := range []struct{ path, request string }{
		{"/api/chat", `{"model":"llama3.2","messages":[]}`},
		{"/api/chat", `{"model":"llama3.2","messages":[],"keep_alive":0}`},
		{"/api/generate", `{"model":"llama3.2"}`},
		{"/api/generate", `{"model":"llama3.2","prompt":"","keep_alive":0}`},
	} {
		_, evs := roundTrip(t, llmhttp.Config{}, jsonReply(200, `{"model":"llama3.2","response":"","done":true,"done_reason":"load"}`), tt.path, tt.request)
		if len(evs) != 0 {
			t.Errorf("%s %s: events %q, want none", tt.path, tt.request, types(evs))
		}
	}
}
