package sdktest

import (
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

func anthropicClient(t *testing.T, url string, cfg llmhttp.Config) anthropic.Client {
	return anthropic.NewClient(
		option.WithBaseURL(url), option.WithAPIKey("sk-ant-test"),
		option.WithHTTPClient(&http.Client{Transport: baseTransport(t)}),
		option.WithMiddleware(llmhttp.Middleware(cfg)),
	)
}

// TestAnthropicToolUseStream: anthropic-sdk-go's accumulated message holds
// the tool_use input, and the events hold its input_json_delta pieces.
func TestAnthropicToolUseStream(t *testing.T) {
	_, url := newServer(t, anthropicToolStream)
	b, all := newBus(t)
	client := anthropicClient(t, url, llmhttp.Config{Bus: b, CaptureContent: true})
	stream := client.Messages.NewStreaming(ctxTimeout(t), anthropic.MessageNewParams{
		Model: anthropic.ModelClaudeSonnet4_5, MaxTokens: 1024,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Weather in Paris?"))},
		Tools:    []anthropic.ToolUnionParam{anthropic.ToolUnionParamOfTool(anthropic.ToolInputSchemaParam{}, "get_weather")},
	})
	var msg anthropic.Message
	for stream.Next() {
		if err := msg.Accumulate(stream.Current()); err != nil {
			t.Fatal(err)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	if len(msg.Content) != 1 || msg.Content[0].Type != "tool_use" || string(msg.Content[0].Input) != `{"location": "Paris, France"}` {
		t.Fatalf("the SDK assembled %+v", msg.Content)
	}
	evs := all()
	if n, text := toolTokens(evs); n != 2 || text != string(msg.Content[0].Input) {
		t.Errorf("%d tool_call tokens %q, want 2 making %s", n, text, msg.Content[0].Input)
	}
	checkData(t, "end", evs[len(evs)-1].Data, map[string]any{
		llmhttp.KeyToolCalls: []any{map[string]any{"id": "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "name": "get_weather",
			"arguments": string(msg.Content[0].Input), "arguments_chars": 29}},
		events.KeyGenAIResponseFinishReasons: []string{"tool_use"}, events.KeyTokens: 561,
		// claude-sonnet-4-5: 472 input at 3 and 89 output at 15 per million.
		events.KeyGenAIUsageCost: 0.002751,
	})
}

// TestAnthropicRetriesOverloaded: anthropic-sdk-go retries a 529; the
// failed attempt records overloaded_error, the last one the usage.
func TestAnthropicRetriesOverloaded(t *testing.T) {
	over := jsonReply(529, anthropicOver, http.Header{"Retry-After": {"0"}, "Anthropic-Ratelimit-Requests-Remaining": {"7"}})
	_, url := newServer(t, over, jsonReply(200, anthropicMessage, nil))
	b, all := newBus(t)
	client := anthropicClient(t, url, llmhttp.Config{Bus: b})
	msg, err := client.Messages.New(ctxTimeout(t), anthropic.MessageNewParams{
		Model: anthropic.ModelClaudeHaiku4_5, MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	})
	if err != nil {
		t.Fatal(err)
	}
	if msg.Content[0].Text != "Hi there" {
		t.Fatalf("the SDK read %+v", msg.Content)
	}
	evs := all()
	if types(evs) != "start error start end" {
		t.Fatalf("events %q, want a failed attempt, then one that succeeds", types(evs))
	}
	checkData(t, "first attempt", evs[1].Data, map[string]any{
		llmhttp.KeyProviderErrorType: "overloaded_error", llmhttp.KeyHTTPStatusCode: 529,
		events.KeyErrorMessage: "llmhttp: HTTP 529: overloaded_error: Overloaded",
		llmhttp.KeyHTTPResponseHeaderPrefix + "anthropic-ratelimit-requests-remaining": "7",
		llmhttp.KeyHTTPResponseHeaderPrefix + "retry-after":                            "0",
	})
	checkData(t, "second attempt", evs[3].Data, map[string]any{
		events.KeyGenAIUsageInputTokens: 30, events.KeyTokens: 35, llmhttp.KeyGenAIUsageCacheReadInputTokens: 10,
		// claude-haiku-4-5: 20 input at 1, 10 cache reads at 0.10, 5 output at 5 per million.
		events.KeyGenAIUsageCost: 4.6e-05,
	})
}
