package llmhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// The middleware in the shape openai-go and anthropic-sdk-go take
// (option.WithMiddleware(mw)); here the "SDK" is a few lines that call it
// with a next function answering from memory.
func ExampleMiddleware() {
	mem, _ := memory.New(memory.Config{})
	b, _ := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})

	mw := llmhttp.Middleware(llmhttp.Config{Bus: b, CaptureContent: true})
	next := func(req *http.Request) (*http.Response, error) { // the server
		return &http.Response{
			StatusCode: http.StatusOK,
			Header:     http.Header{"Content-Type": {"text/event-stream"}},
			Body: io.NopCloser(strings.NewReader(
				`data: {"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hi"}}]}` + "\n\n" +
					`data: {"choices":[{"index":0,"delta":{"content":" there"},"finish_reason":"stop"}]}` + "\n\n" +
					`data: {"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2}}` + "\n\n" +
					"data: [DONE]\n\n")),
		}, nil
	}
	req, _ := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions",
		strings.NewReader(`{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello"}]}`))
	req.Header.Set("X-Stainless-Retry-Count", "0")
	resp, err := mw(req, next)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body) // the SDK reads the stream
	_ = resp.Body.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = b.Close(ctx)
	for _, ev := range mem.Events() {
		d := ev.Data
		switch ev.EventType {
		case events.TypeStart:
			fmt.Println(ev.EventType, ev.Operation, ev.MethodName, d[events.KeyGenAISystem], d[events.KeyGenAIRequestModel])
		case events.TypeToken:
			fmt.Printf("%s %q\n", ev.EventType, d[events.KeyToken])
		default:
			fmt.Println(ev.EventType, d[events.KeyGenAIResponseFinishReasons],
				d[events.KeyGenAIUsageInputTokens], d[events.KeyGenAIUsageOutputTokens])
		}
	}
	// Output:
	// start llm_call chat_completions openai gpt-4o-mini
	// token "Hi"
	// token " there"
	// end [stop] 9 2
}

// Transport instruments clients that take an *http.Client, such as
// sashabaranov/go-openai (config.HTTPClient) and langchaingo
// (openai.WithHTTPClient).
func ExampleTransport() {
	httpClient := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{})}
	_ = httpClient // pass it to the LLM client
}
