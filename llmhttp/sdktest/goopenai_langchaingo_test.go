package sdktest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	goopenai "github.com/sashabaranov/go-openai"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

func goOpenAI(t *testing.T, url string, cfg llmhttp.Config) *goopenai.Client {
	cfg.Base = baseTransport(t)
	c := goopenai.DefaultConfig("sk-test")
	c.BaseURL = url + "/v1"
	c.HTTPClient = &http.Client{Transport: llmhttp.Transport(cfg)}
	return goopenai.NewClientWithConfig(c)
}

// TestGoOpenAIToolCallStream: go-openai's stream reader gives each tool
// call delta to the caller, and the events record them.
func TestGoOpenAIToolCallStream(t *testing.T) {
	_, url := newServer(t, openAIToolStream)
	b, all := newBus(t)
	client := goOpenAI(t, url, llmhttp.Config{Bus: b, CaptureContent: true})
	stream, err := client.CreateChatCompletionStream(ctxTimeout(t), goopenai.ChatCompletionRequest{
		Model: "gpt-4o", Stream: true,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Weather in Paris?"}},
		Tools: []goopenai.Tool{{Type: goopenai.ToolTypeFunction, Function: &goopenai.FunctionDefinition{
			Name: "get_weather", Parameters: json.RawMessage(`{"type":"object"}`)}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var args strings.Builder
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range resp.Choices {
			for _, tc := range c.Delta.ToolCalls {
				args.WriteString(tc.Function.Arguments)
			}
		}
	}
	_ = stream.Close()
	evs := all()
	if n, text := toolTokens(evs); n != 2 || text != args.String() || text != `{"location":"Paris, France"}` {
		t.Errorf("%d tool_call tokens %q; the SDK read %q", n, text, args.String())
	}
}

// TestGoOpenAIErrorCodes: go-openai gets OpenAI's error as it was sent, and
// the error events tell a quota from a rate limit.
func TestGoOpenAIErrorCodes(t *testing.T) {
	for _, tt := range []struct{ body, code string }{
		{openAIRateLimit, "rate_limit_exceeded"},
		{openAIQuota, "insufficient_quota"},
	} {
		_, url := newServer(t, jsonReply(429, tt.body, nil))
		b, all := newBus(t)
		client := goOpenAI(t, url, llmhttp.Config{Bus: b})
		_, err := client.CreateChatCompletion(ctxTimeout(t), goopenai.ChatCompletionRequest{
			Model: "gpt-4o-mini", Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "hi"}},
		})
		var apiErr *goopenai.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != tt.code || apiErr.HTTPStatusCode != 429 {
			t.Fatalf("go-openai returned %v, want its APIError with code %s", err, tt.code)
		}
		evs := all()
		if types(evs) != "start error" {
			t.Fatalf("events %q", types(evs))
		}
		checkData(t, "error", evs[1].Data, map[string]any{llmhttp.KeyProviderErrorType: tt.code})
	}
}

// TestGoOpenAIIncludeUsage: go-openai's stream reader passes the extra
// usage chunk (no choices) that IncludeUsage brings.
func TestGoOpenAIIncludeUsage(t *testing.T) {
	srv, url := newServer(t, sse(append(append([]string(nil), openAITextChunks...), openAIUsageChunk, "data: [DONE]")...))
	b, all := newBus(t)
	client := goOpenAI(t, url, llmhttp.Config{Bus: b, IncludeUsage: true})
	stream, err := client.CreateChatCompletionStream(ctxTimeout(t), goopenai.ChatCompletionRequest{
		Model: "gpt-4o-mini", Stream: true,
		Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "hi"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var usage *goopenai.Usage
	var text strings.Builder
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Choices) > 0 { // the usage chunk has none
			text.WriteString(resp.Choices[0].Delta.Content)
		}
		if resp.Usage != nil {
			usage = resp.Usage
		}
	}
	_ = stream.Close()
	if !strings.Contains(srv.requests()[0], `"stream_options":{"include_usage":true}`) {
		t.Errorf("the request %s", srv.requests()[0])
	}
	if text.String() != "Hello world" || usage == nil || usage.TotalTokens != 14 {
		t.Errorf("the SDK read %q, usage %+v", text.String(), usage)
	}
	evs := all()
	checkData(t, "end", evs[len(evs)-1].Data, map[string]any{events.KeyTokens: 14})
}

// TestLangchaingoOllama: langchaingo's Ollama client streams /api/chat as
// NDJSON; the call is an execution with its tokens and usage.
func TestLangchaingoOllama(t *testing.T) {
	srv, url := newServer(t, ollamaChatStream)
	b, all := newBus(t)
	llm, err := ollama.New(ollama.WithServerURL(url), ollama.WithModel("llama3.2"),
		ollama.WithHTTPClient(&http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b, Base: baseTransport(t), CaptureContent: true})}))
	if err != nil {
		t.Fatal(err)
	}
	var streamed strings.Builder
	resp, err := llm.GenerateContent(ctxTimeout(t),
		[]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "why is the sky blue?")},
		llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			streamed.Write(chunk)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Content != "The sky is blue." || streamed.String() != "The sky is blue." {
		t.Fatalf("langchaingo read %q, streamed %q", resp.Choices[0].Content, streamed.String())
	}
	if !strings.Contains(srv.requests()[0], `"messages"`) {
		t.Fatalf("the request %s", srv.requests()[0])
	}
	evs := all()
	if types(evs) != "start token token token end" || evs[0].MethodName != "ollama_chat" {
		t.Fatalf("events %q (%s)", types(evs), evs[0].MethodName)
	}
	checkData(t, "end", evs[4].Data, map[string]any{
		events.KeyGenAIUsageInputTokens: 26, events.KeyGenAIUsageOutputTokens: 282, events.KeyTokens: 308,
		llmhttp.KeyGenAICompletion: "The sky is blue.", events.KeyGenAIUsageCostSource: "unpriced",
	})
}

// TestLangchaingoOpenAI: langchaingo's own OpenAI client (not go-openai),
// streamed.
func TestLangchaingoOpenAI(t *testing.T) {
	_, url := newServer(t, sse(append(append([]string(nil), openAITextChunks...), openAIUsageChunk, "data: [DONE]")...))
	b, all := newBus(t)
	llm, err := lcopenai.New(lcopenai.WithBaseURL(url+"/v1"), lcopenai.WithToken("sk-test"), lcopenai.WithModel("gpt-4o-mini"),
		lcopenai.WithHTTPClient(&http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b, Base: baseTransport(t)})}))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := llm.GenerateContent(ctxTimeout(t),
		[]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")},
		llms.WithStreamingFunc(func(context.Context, []byte) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Content != "Hello world" {
		t.Fatalf("langchaingo read %q", resp.Choices[0].Content)
	}
	evs := all()
	if types(evs) != "start token token end" {
		t.Fatalf("events %q", types(evs))
	}
	checkData(t, "end", evs[3].Data, map[string]any{events.KeyTokens: 14, events.KeyGenAIResponseFinishReasons: []string{"stop"}})
}
