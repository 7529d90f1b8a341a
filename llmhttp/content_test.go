package llmhttp_test

import (
	"context"
	"io"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestContentIsOptIn checks that prompts and completions stay out of the
// events unless CaptureContent is on, and are capped when it is.
func TestContentIsOptIn(t *testing.T) {
	const chatPrompt = `{"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Say hello"}]}`
	tests := []struct {
		name          string
		cfg           llmhttp.Config
		path, request string
		reply         reply
		wantStart     map[string]any
		wantToken     []map[string]any
		wantEnd       map[string]any
		absentStart   []string
		absentToken   []string
		absentEnd     []string
	}{
		{
			name: "off", path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			wantToken: []map[string]any{
				{llmhttp.KeyTokenChars: 5, events.KeyTokenIndex: 0, events.KeyField: llmhttp.FieldCompletion},
				{llmhttp.KeyTokenChars: 1, events.KeyTokenIndex: 1},
				{llmhttp.KeyTokenChars: 6, events.KeyTokenIndex: 2},
			},
			absentStart: []string{llmhttp.KeyGenAIPrompt},
			absentToken: []string{events.KeyToken},
			absentEnd:   []string{llmhttp.KeyGenAICompletion},
		},
		{
			name: "off, not streamed", path: "/v1/messages", request: `{"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`,
			reply:       jsonReply(200, anthropicResponse),
			absentStart: []string{llmhttp.KeyGenAIPrompt},
			absentEnd:   []string{llmhttp.KeyGenAICompletion},
		},
		{
			name: "on", cfg: llmhttp.Config{CaptureContent: true},
			path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			wantStart: map[string]any{llmhttp.KeyGenAIPrompt: chatPrompt},
			wantToken: []map[string]any{
				{events.KeyToken: "Hello", events.KeyTokenIndex: 0, events.KeyField: llmhttp.FieldCompletion},
				{events.KeyToken: ","},
				{events.KeyToken: " world"},
			},
			wantEnd:     map[string]any{llmhttp.KeyGenAICompletion: "Hello, world"},
			absentStart: []string{llmhttp.KeyContentTruncated},
			absentToken: []string{llmhttp.KeyTokenChars},
			absentEnd:   []string{llmhttp.KeyContentTruncated},
		},
		{
			name: "on, anthropic system prompt", cfg: llmhttp.Config{CaptureContent: true},
			path: "/v1/messages", request: anthropicRequest, reply: stream(anthropicStream),
			wantStart: map[string]any{
				llmhttp.KeyGenAIPrompt: `{"system":"Be brief.","messages":[{"role":"user","content":"Say hello"}]}`,
			},
		},
		{
			name: "on, responses instructions", cfg: llmhttp.Config{CaptureContent: true},
			path: "/v1/responses", request: responsesRequest, reply: stream(responsesStream),
			wantStart: map[string]any{llmhttp.KeyGenAIPrompt: `{"instructions":"Be brief.","input":"Say hello"}`},
		},
		{
			name: "capped", cfg: llmhttp.Config{CaptureContent: true, MaxContentBytes: 5},
			path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			wantStart: map[string]any{llmhttp.KeyGenAIPrompt: `{"mes`, llmhttp.KeyContentTruncated: true},
			wantToken: []map[string]any{
				{events.KeyToken: "Hello"},
				{events.KeyToken: ","},
				{events.KeyToken: " worl", llmhttp.KeyContentTruncated: true},
			},
			wantEnd:     map[string]any{llmhttp.KeyGenAICompletion: "Hello", llmhttp.KeyContentTruncated: true},
			absentToken: []string{},
		},
		{
			name: "uncapped", cfg: llmhttp.Config{CaptureContent: true, MaxContentBytes: -1},
			path: "/v1/chat/completions", request: chatRequest, reply: stream(chatStream),
			wantStart: map[string]any{llmhttp.KeyGenAIPrompt: chatPrompt},
			wantEnd:   map[string]any{llmhttp.KeyGenAICompletion: "Hello, world"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.reply)
			b, mem := newBus(t)
			tt.cfg.Bus = b
			client := newClient(t, tt.cfg)
			resp := post(t, context.Background(), client, srv.URL+tt.path, tt.request)
			if _, err := io.Copy(io.Discard, resp.Body); err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			closeBus(t, b)

			evs := mem.Events()
			if len(evs) < 2 {
				t.Fatalf("events %q", types(evs))
			}
			checkData(t, "start", evs[0].Data, tt.wantStart, tt.absentStart...)
			checkData(t, "end", evs[len(evs)-1].Data, tt.wantEnd, tt.absentEnd...)
			var tokens []events.Event
			for _, ev := range evs {
				if ev.EventType == events.TypeToken {
					tokens = append(tokens, ev)
				}
			}
			if tt.wantToken != nil && len(tokens) != len(tt.wantToken) {
				t.Fatalf("%d token events, want %d", len(tokens), len(tt.wantToken))
			}
			for i, tok := range tokens {
				var want map[string]any
				if i < len(tt.wantToken) {
					want = tt.wantToken[i]
				}
				checkData(t, "token", tok.Data, want, tt.absentToken...)
			}
		})
	}
}
