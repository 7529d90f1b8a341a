// Command openai-compatible streams a chat completion from any
// OpenAI-compatible server (OpenAI, vLLM, Ollama, LiteLLM, llama.cpp, ...)
// through llmhttp, and prints its execution, token by token, with the
// terminal sink.
//
//	go run ./examples/openai-compatible                                   # a local fake server answers
//	OPENAI_API_KEY=sk-... go run ./examples/openai-compatible             # api.openai.com
//	OPENAI_BASE_URL=http://localhost:11434/v1 OPENAI_MODEL=llama3.2 \
//	    go run ./examples/openai-compatible                               # Ollama
//
// With neither OPENAI_API_KEY nor OPENAI_BASE_URL set it starts a fake server
// on 127.0.0.1 that streams a canned answer, so it runs anywhere. It exits
// after the answer, or on Ctrl-C.
//
// The client here is plain net/http. With openai-go or anthropic-sdk-go, pass
// the same instrumentation as a middleware instead:
//
//	openai.NewClient(option.WithMiddleware(llmhttp.Middleware(llmhttp.Config{CaptureContent: true})))
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/llmhttp"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil && !errors.Is(err, context.Canceled) {
		log.Fatal(err)
	}
}

// run asks one question and streams the answer's events to out. getenv
// reads the configuration (os.Getenv in main).
func run(ctx context.Context, out io.Writer, getenv func(string) string) (err error) {
	// MaxDataLen -1 shows whole lines: the end event's usage comes after the
	// completion's text.
	term, err := terminal.New(terminal.Config{Output: out, MaxDataLen: -1})
	if err != nil {
		return err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{term}})
	if err != nil {
		return err
	}
	defer func() {
		// Deliver what is left, but do not hang on the way out.
		closeCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err = errors.Join(err, b.Close(closeCtx))
	}()

	baseURL, key, model := getenv("OPENAI_BASE_URL"), getenv("OPENAI_API_KEY"), getenv("OPENAI_MODEL")
	switch {
	case baseURL == "" && key == "":
		srv := startFakeServer()
		defer srv.Close()
		baseURL = srv.URL + "/v1"
	case baseURL == "":
		baseURL = "https://api.openai.com/v1"
	}
	if model == "" {
		model = "gpt-4o-mini"
	}

	// Every LLM call made through this client is instrumented. Content
	// capture is opt-in; it is on here so that the tokens' text is printed.
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b, CaptureContent: true, Base: base})}
	llm := chatClient{http: client, baseURL: strings.TrimSuffix(baseURL, "/"), key: key, model: model}

	// The function that calls the LLM is an execution too, so the llm_call
	// shows nested in it (its parent_id).
	ask := bus.Instrument(b, bus.Op{Module: "Assistant", Method: "ask", Operation: "forward"}, llm.ask)
	_, err = ask(ctx, "In one sentence, what does streamll-go do?")
	return err
}

// chatClient is a minimal streaming Chat Completions client.
type chatClient struct {
	http                *http.Client
	baseURL, key, model string
}

// ask streams the answer to question and returns it whole.
func (c chatClient) ask(ctx context.Context, question string) (string, error) {
	body, err := json.Marshal(map[string]any{
		"model":          c.model,
		"stream":         true,
		"stream_options": map[string]any{"include_usage": true},
		"messages":       []map[string]string{{"role": "user", "content": question}},
	})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return "", fmt.Errorf("chat completion: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}

	var answer strings.Builder
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	for lines.Scan() {
		data, ok := strings.CutPrefix(lines.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			break
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			return answer.String(), fmt.Errorf("chat completion: %w", err)
		}
		for _, ch := range chunk.Choices {
			answer.WriteString(ch.Delta.Content)
		}
	}
	return answer.String(), lines.Err()
}
