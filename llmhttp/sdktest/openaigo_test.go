package sdktest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

func openAIGo(t *testing.T, url string, cfg llmhttp.Config, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(url + "/v1"), option.WithAPIKey("sk-test"),
		option.WithHTTPClient(&http.Client{Transport: baseTransport(t)}),
		option.WithMiddleware(llmhttp.Middleware(cfg)),
	}, opts...)...)
}

var weatherTool = openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
	Name:       "get_weather",
	Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"location": map[string]any{"type": "string"}}},
})

// TestOpenAIGoToolCallStream: a streamed Chat Completions tool call read
// with openai-go's accumulator gives the SDK the whole call, and the events
// its deltas, name and id.
func TestOpenAIGoToolCallStream(t *testing.T) {
	_, url := newServer(t, openAIToolStream)
	b, all := newBus(t)
	client := openAIGo(t, url, llmhttp.Config{Bus: b, CaptureContent: true})
	stream := client.Chat.Completions.NewStreaming(ctxTimeout(t), openai.ChatCompletionNewParams{
		Model:    "gpt-4o",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Weather in Paris?")},
		Tools:    []openai.ChatCompletionToolUnionParam{weatherTool},
	})
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	calls := acc.Choices[0].Message.ToolCalls
	if len(calls) != 1 || calls[0].Function.Arguments != `{"location":"Paris, France"}` || calls[0].ID != "call_DdmO9pD3xa9XTPNJ32zg2hcA" {
		t.Fatalf("the SDK assembled %+v", calls)
	}
	evs := all()
	if n, text := toolTokens(evs); n != 2 || text != calls[0].Function.Arguments {
		t.Errorf("%d tool_call tokens %q, want 2 making the arguments (events %q)", n, text, types(evs))
	}
	end := evs[len(evs)-1]
	checkData(t, "end", end.Data, map[string]any{
		llmhttp.KeyToolCalls:                 []any{map[string]any{"id": calls[0].ID, "name": "get_weather", "arguments": calls[0].Function.Arguments, "arguments_chars": 28}},
		events.KeyGenAIResponseFinishReasons: []string{"tool_calls"}, events.KeyTokens: 104,
	})
	if _, ok := end.Data[llmhttp.KeyTimeToFirstToken]; !ok {
		t.Error("no time to first token")
	}
}

// TestOpenAIGoResponsesToolStream: the Responses API's function call events.
func TestOpenAIGoResponsesToolStream(t *testing.T) {
	_, url := newServer(t, responsesToolStream)
	b, all := newBus(t)
	client := openAIGo(t, url, llmhttp.Config{Bus: b, CaptureContent: true})
	stream := client.Responses.NewStreaming(ctxTimeout(t), responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Weather in Paris?")},
		Tools: []responses.ToolUnionParam{responses.ToolParamOfFunction("get_weather", map[string]any{"type": "object"}, false)},
	})
	var args strings.Builder
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "response.function_call_arguments.delta" {
			args.WriteString(ev.AsResponseFunctionCallArgumentsDelta().Delta)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	evs := all()
	if n, text := toolTokens(evs); n != 2 || text != args.String() || text != `{"location":"Paris, France"}` {
		t.Errorf("%d tool_call tokens %q; the SDK read %q", n, text, args.String())
	}
	checkData(t, "end", evs[len(evs)-1].Data, map[string]any{
		llmhttp.KeyToolCalls: []any{map[string]any{"id": "call_1234xyz", "name": "get_weather", "arguments": args.String(), "arguments_chars": 28}},
		events.KeyTokens:     78,
	})
}

// TestOpenAIGoRetries: openai-go retries a 429 (honouring retry-after-ms)
// and closes the failed body unread; each attempt is an execution whose
// error says what the provider said, with its rate-limit headers.
func TestOpenAIGoRetries(t *testing.T) {
	limited := jsonReply(429, openAIRateLimit, http.Header{
		"Retry-After-Ms": {"1"}, "X-Ratelimit-Remaining-Requests": {"0"}, "X-Ratelimit-Reset-Requests": {"1s"},
	})
	ok := sse(append(openAITextChunks, openAIUsageChunk, "data: [DONE]")...)
	_, url := newServer(t, limited, limited, ok)
	b, all := newBus(t)
	client := openAIGo(t, url, llmhttp.Config{Bus: b}) // openai-go retries twice by default
	ctx, parent := b.Start(ctxTimeout(t), bus.Op{Operation: "forward", Module: "ChatBot"})
	stream := client.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var text strings.Builder
	for stream.Next() {
		if c := stream.Current(); len(c.Choices) > 0 {
			text.WriteString(c.Choices[0].Delta.Content)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	parent.End(nil)
	if text.String() != "Hello world" {
		t.Fatalf("the SDK read %q", text.String())
	}
	var calls []events.Event
	for _, ev := range all() {
		if ev.Operation == llmhttp.Operation {
			calls = append(calls, ev)
		}
	}
	if types(calls) != "start error start error start token token end" {
		t.Fatalf("llm_call events %q, want two failed attempts and a third that streams", types(calls))
	}
	for i, ev := range []events.Event{calls[1], calls[3]} {
		checkData(t, "attempt error", ev.Data, map[string]any{
			llmhttp.KeyProviderErrorType: "rate_limit_exceeded",
			events.KeyErrorMessage: "llmhttp: HTTP 429: requests: rate_limit_exceeded: Rate limit reached for gpt-4o-mini in organization org-x " +
				"on requests per min (RPM): Limit 3, Used 3.",
			llmhttp.KeyHTTPResponseHeaderPrefix + "retry-after-ms":                 "1",
			llmhttp.KeyHTTPResponseHeaderPrefix + "x-ratelimit-remaining-requests": "0",
		})
		checkData(t, "attempt start", calls[2*i].Data, map[string]any{llmhttp.KeyHTTPResendCount: i})
		if ev.ParentID != parent.ID() {
			t.Errorf("attempt %d is not nested in the caller's execution", i)
		}
	}
}

// TestOpenAIGoIncludeUsage: with IncludeUsage the request asks for usage,
// the accumulator gets it, and the end event has tokens and cost; without
// it the request is sent as the SDK made it and no usage comes back.
func TestOpenAIGoIncludeUsage(t *testing.T) {
	for _, include := range []bool{true, false} {
		chunks := append(append([]string(nil), openAITextChunks...), "data: [DONE]")
		if include { // the server reports usage only when asked to
			chunks = append(append([]string(nil), openAITextChunks...), openAIUsageChunk, "data: [DONE]")
		}
		srv, url := newServer(t, sse(chunks...))
		b, all := newBus(t)
		client := openAIGo(t, url, llmhttp.Config{Bus: b, IncludeUsage: include})
		stream := client.Chat.Completions.NewStreaming(ctxTimeout(t), openai.ChatCompletionNewParams{
			Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		_ = stream.Close()
		sent := srv.requests()[0]
		if got := strings.Contains(sent, `"stream_options":{"include_usage":true}`); got != include {
			t.Errorf("IncludeUsage %v: the request %s", include, sent)
		}
		wantTotal := map[bool]int64{true: 14}[include]
		if acc.Choices[0].Message.Content != "Hello world" || acc.Usage.TotalTokens != wantTotal {
			t.Errorf("IncludeUsage %v: the SDK assembled %q, usage %+v", include, acc.Choices[0].Message.Content, acc.Usage)
		}
		evs := all()
		end := evs[len(evs)-1]
		if !include {
			if _, ok := end.Data[events.KeyTokens]; ok {
				t.Errorf("tokens without usage: %v", end.Data)
			}
			continue
		}
		// gpt-4o-mini: 12 input tokens at 0.15 and 2 output at 0.60 per million.
		checkData(t, "end", end.Data, map[string]any{
			events.KeyTokens: 14, events.KeyGenAIUsageCostSource: "local", events.KeyGenAIUsageCost: 3e-06,
		})
	}
}
