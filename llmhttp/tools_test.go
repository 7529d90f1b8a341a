package llmhttp_test

import (
	"fmt"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestToolCalls checks that tool calls leave a trace: each streamed delta of
// a call's arguments is a token event (field tool_call) naming the tool and
// the call, the stream has a time to first token, and the end event lists
// the calls; with content capture on, the arguments too.
func TestToolCalls(t *testing.T) {
	weather := map[string]any{"id": "call_DdmO9pD3xa9XTPNJ32zg2hcA", "name": "get_weather",
		"arguments": `{"location":"Paris, France"}`, "arguments_chars": 28}
	tests := []struct {
		name, path, request string
		reply               reply
		wantTokens          []map[string]any // the tool_call token events
		wantCalls           []map[string]any
		wantFinish          string
	}{
		{
			name: "chat stream", path: "/v1/chat/completions", request: chatToolRequest, reply: stream(chatToolStream),
			wantTokens: []map[string]any{
				{events.KeyToken: `{"`, llmhttp.KeyGenAIToolName: "get_weather", llmhttp.KeyGenAIToolCallID: "call_DdmO9pD3xa9XTPNJ32zg2hcA"},
				{events.KeyToken: "location", llmhttp.KeyGenAIToolName: "get_weather"},
				{events.KeyToken: `":"Paris, France"}`},
				{events.KeyToken: "{}", llmhttp.KeyGenAIToolName: "get_time", llmhttp.KeyGenAIToolCallID: "call_2"},
			},
			wantCalls:  []map[string]any{weather, {"id": "call_2", "name": "get_time", "arguments": "{}", "arguments_chars": 2}},
			wantFinish: "tool_calls",
		},
		{
			name: "chat", path: "/v1/chat/completions", request: `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
			reply: jsonReply(200, chatToolResponse), wantCalls: []map[string]any{weather}, wantFinish: "tool_calls",
		},
		{
			name: "responses stream", path: "/v1/responses", request: responsesToolRequest, reply: stream(responsesToolStream),
			wantTokens: []map[string]any{
				{events.KeyToken: `{"location":`, llmhttp.KeyGenAIToolName: "get_weather", llmhttp.KeyGenAIToolCallID: "call_1234xyz"},
				{events.KeyToken: `"Paris, France"}`, llmhttp.KeyGenAIToolName: "get_weather"},
			},
			wantCalls:  []map[string]any{{"id": "call_1234xyz", "name": "get_weather", "arguments": `{"location":"Paris, France"}`}},
			wantFinish: "completed",
		},
		{
			name: "responses", path: "/v1/responses", request: `{"model":"gpt-4.1","input":"Weather in Paris?"}`,
			reply:      jsonReply(200, responsesToolResponse),
			wantCalls:  []map[string]any{{"id": "call_1234xyz", "name": "get_weather", "arguments": `{"location":"Paris, France"}`}},
			wantFinish: "completed",
		},
		{
			name: "anthropic stream", path: "/v1/messages", request: anthropicToolRequest, reply: stream(anthropicToolStream),
			wantTokens: []map[string]any{
				{events.KeyToken: `{"location":`, llmhttp.KeyGenAIToolName: "get_weather", llmhttp.KeyGenAIToolCallID: "toolu_01T1x1fJ34qAmk2tNTrN7Up6"},
				{events.KeyToken: ` "Paris, France"}`},
			},
			wantCalls: []map[string]any{{"id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather",
				"arguments": `{"location": "Paris, France"}`, "arguments_chars": 29}},
			wantFinish: "tool_use",
		},
		{
			name: "anthropic", path: "/v1/messages", request: `{"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`,
			reply: jsonReply(200, anthropicToolResponse),
			wantCalls: []map[string]any{{"id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather",
				"arguments": `{"location":"Paris, France"}`}},
			wantFinish: "tool_use",
		},
		{
			name: "ollama stream", path: "/api/chat", request: ollamaChatRequest, reply: ndjsonReply(ollamaToolStream),
			wantTokens: []map[string]any{{events.KeyToken: `{"format":"celsius","location":"Toronto"}`, llmhttp.KeyGenAIToolName: "get_current_weather"}},
			wantCalls:  []map[string]any{{"name": "get_current_weather", "arguments": `{"format":"celsius","location":"Toronto"}`}},
			wantFinish: "stop",
		},
		{
			name: "ollama", path: "/api/chat", request: ollamaChatToolsRequest, reply: jsonReply(200, ollamaChatToolsResponse),
			wantCalls:  []map[string]any{{"name": "get_current_weather", "arguments": `{"format":"celsius","location":"Paris, FR"}`}},
			wantFinish: "stop",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, evs := roundTrip(t, llmhttp.Config{CaptureContent: true}, tt.reply, tt.path, tt.request)
			if got != tt.reply.body {
				t.Fatalf("the caller read %q, want the server's bytes", got)
			}
			end := last(t, evs)
			if end.EventType != events.TypeEnd {
				t.Fatalf("events %q, want ... end (%v)", types(evs), end.Data)
			}
			var toolTokens []events.Event
			for _, ev := range tokenEvents(evs) {
				if ev.Data[events.KeyField] == llmhttp.FieldToolCall {
					toolTokens = append(toolTokens, ev)
				}
			}
			if len(toolTokens) != len(tt.wantTokens) {
				t.Fatalf("%d tool_call token events, want %d (events %q)", len(toolTokens), len(tt.wantTokens), types(evs))
			}
			for i, tok := range toolTokens {
				checkData(t, fmt.Sprintf("tool_call token %d", i), tok.Data, tt.wantTokens[i])
			}
			calls, _ := end.Data[llmhttp.KeyToolCalls].([]any)
			if len(calls) != len(tt.wantCalls) {
				t.Fatalf("end tool_calls = %v, want %d calls", end.Data[llmhttp.KeyToolCalls], len(tt.wantCalls))
			}
			for i, c := range calls {
				m, _ := c.(map[string]any)
				checkData(t, fmt.Sprintf("tool_calls[%d]", i), m, tt.wantCalls[i])
			}
			checkData(t, "end", end.Data, map[string]any{events.KeyGenAIResponseFinishReasons: []string{tt.wantFinish}})
			if _, ok := end.Data[llmhttp.KeyTimeToFirstToken]; ok != (len(tt.wantTokens) > 0) {
				t.Errorf("end has %s: %v, want it on streams only", llmhttp.KeyTimeToFirstToken, ok)
			}
		})
	}
}

// TestToolCallsWithoutContent checks that with content capture off a tool
// call is still named, its arguments only counted.
func TestToolCallsWithoutContent(t *testing.T) {
	_, evs := roundTrip(t, llmhttp.Config{}, stream(anthropicToolStream), "/v1/messages", anthropicToolRequest)
	for _, tok := range tokenEvents(evs) {
		if _, ok := tok.Data[events.KeyToken]; ok {
			t.Errorf("token event with text %v although capture is off", tok.Data)
		}
	}
	toks := tokenEvents(evs)
	if len(toks) != 3 {
		t.Fatalf("events %q, want 1 text and 2 tool_call tokens", types(evs))
	}
	checkData(t, "tool token", toks[1].Data, map[string]any{
		events.KeyField: llmhttp.FieldToolCall, llmhttp.KeyTokenChars: 12, llmhttp.KeyGenAIToolName: "get_weather",
		events.KeyTokenIndex: 1,
	})
	calls, _ := last(t, evs).Data[llmhttp.KeyToolCalls].([]any)
	if len(calls) != 1 {
		t.Fatalf("tool_calls = %v", calls)
	}
	checkData(t, "tool_calls[0]", calls[0].(map[string]any), map[string]any{"name": "get_weather", "arguments_chars": 29}, "arguments")
}
