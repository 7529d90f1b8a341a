// Command compat is a user's program that puts streamll-go beside the LLM
// SDKs it instruments: openai-go v3, anthropic-sdk-go v2, sashabaranov's
// go-openai and langchaingo (its OpenAI and Anthropic clients). CI builds it
// in a fresh module whose go.mod it writes from scratch, as a user who runs
// `go get` on streamll-go and the SDKs gets it, so that a requirement of ours
// that breaks their graph (otel/sdk/metric too old for the otel/metric an SDK
// raises, say) fails the build. See the "SDK compatibility" block of .ci/run.
//
// Run, it sends one chat call through each client to a fake provider on a
// loopback port and checks that each became one llm_call execution with its
// usage, so the instrumentation is also seen to work with each real client.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	anthropicoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3"
	openaioption "github.com/openai/openai-go/v3/option"
	goopenai "github.com/sashabaranov/go-openai"
	"github.com/tmc/langchaingo/llms"
	lcanthropic "github.com/tmc/langchaingo/llms/anthropic"
	lcopenai "github.com/tmc/langchaingo/llms/openai"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// The fake provider's answers: one chat completion, one Anthropic message.
const (
	chatCompletion = `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":7,"completion_tokens":1,"total_tokens":8}}`
	anthropicMessage = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-test",` +
		`"content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,` +
		`"usage":{"input_tokens":7,"output_tokens":1}}`
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "compat:", err)
		os.Exit(1)
	}
}

func run() error {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat/completions"):
			_, _ = io.WriteString(w, chatCompletion)
		case strings.HasSuffix(r.URL.Path, "/messages"):
			_, _ = io.WriteString(w, anthropicMessage)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()

	mem, err := memory.New(memory.Config{})
	if err != nil {
		return err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		return err
	}
	instrumented := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b})}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	calls := []struct {
		name string
		call func(context.Context) error
	}{
		{"openai-go", func(ctx context.Context) error {
			c := openai.NewClient(openaioption.WithBaseURL(srv.URL+"/v1"), openaioption.WithAPIKey("test"),
				openaioption.WithMiddleware(llmhttp.Middleware(llmhttp.Config{Bus: b})))
			_, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-4o-mini",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello")}})
			return err
		}},
		{"anthropic-sdk-go", func(ctx context.Context) error {
			c := anthropic.NewClient(anthropicoption.WithBaseURL(srv.URL), anthropicoption.WithAPIKey("test"),
				anthropicoption.WithMiddleware(llmhttp.Middleware(llmhttp.Config{Bus: b})))
			_, err := c.Messages.New(ctx, anthropic.MessageNewParams{Model: "claude-test", MaxTokens: 16,
				Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))}})
			return err
		}},
		{"go-openai", func(ctx context.Context) error {
			cfg := goopenai.DefaultConfig("test")
			cfg.BaseURL = srv.URL + "/v1"
			cfg.HTTPClient = instrumented
			_, err := goopenai.NewClientWithConfig(cfg).CreateChatCompletion(ctx, goopenai.ChatCompletionRequest{
				Model: "gpt-4o-mini", Messages: []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Hello"}}})
			return err
		}},
		{"langchaingo openai", func(ctx context.Context) error {
			llm, err := lcopenai.New(lcopenai.WithToken("test"), lcopenai.WithBaseURL(srv.URL+"/v1"),
				lcopenai.WithModel("gpt-4o-mini"), lcopenai.WithHTTPClient(instrumented))
			if err != nil {
				return err
			}
			_, err = llms.GenerateFromSinglePrompt(ctx, llm, "Hello")
			return err
		}},
		{"langchaingo anthropic", func(ctx context.Context) error {
			llm, err := lcanthropic.New(lcanthropic.WithToken("test"), lcanthropic.WithBaseURL(srv.URL+"/v1"),
				lcanthropic.WithModel("claude-test"), lcanthropic.WithHTTPClient(instrumented))
			if err != nil {
				return err
			}
			_, err = llms.GenerateFromSinglePrompt(ctx, llm, "Hello")
			return err
		}},
	}
	for _, c := range calls {
		if err := c.call(ctx); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	if err := b.Close(ctx); err != nil {
		return err
	}

	// Each call is one execution: a start, then an end with the usage.
	ends := 0
	for _, ev := range mem.Events() {
		switch ev.EventType {
		case events.TypeError:
			return fmt.Errorf("an error event: %v", ev.Data)
		case events.TypeEnd:
			if ev.Data[events.KeyGenAIUsageInputTokens] == nil || ev.Data[events.KeyGenAIUsageOutputTokens] == nil {
				return fmt.Errorf("end event without usage: %v", ev.Data)
			}
			ends++
			fmt.Printf("%s %s %v in=%v out=%v\n", ev.Operation, ev.MethodName, ev.Data[events.KeyGenAISystem],
				ev.Data[events.KeyGenAIUsageInputTokens], ev.Data[events.KeyGenAIUsageOutputTokens])
		}
	}
	if ends != len(calls) {
		return fmt.Errorf("%d calls ended, want %d", ends, len(calls))
	}
	fmt.Printf("ok: %d clients instrumented\n", ends)
	return nil
}
