package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// cannedAnswer is what the fake server streams, a few characters at a time.
const cannedAnswer = "streamll-go streams every LLM call, token and error of your Go program " +
	"to the terminal, Redis Streams or RabbitMQ, without touching the bytes your client reads."

// fakeDelay paces the fake server's chunks like a model generating them.
const fakeDelay = 30 * time.Millisecond

// startFakeServer starts an OpenAI-compatible server on 127.0.0.1 that
// answers every chat completion with cannedAnswer, streamed. Close it when
// done.
func startFakeServer() *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", fakeChat)
	return httptest.NewServer(mux)
}

func fakeChat(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model         string `json:"model"`
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"error":{"type":"invalid_request_error","message":"body is not JSON"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	send := func(chunk string) bool {
		if _, err := io.WriteString(w, "data: "+chunk+"\n\n"); err != nil {
			return false
		}
		w.(http.Flusher).Flush()
		return true
	}
	head := fmt.Sprintf(`{"id":"chatcmpl-fake","object":"chat.completion.chunk","created":%d,"model":%q,"choices":`,
		time.Now().Unix(), req.Model)
	words := strings.SplitAfter(cannedAnswer, " ")
	for i, word := range words {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(fakeDelay):
		}
		text, _ := json.Marshal(word)
		role := ""
		if i == 0 {
			role = `"role":"assistant",`
		}
		if !send(head + `[{"index":0,"delta":{` + role + `"content":` + string(text) + `},"finish_reason":null}]}`) {
			return
		}
	}
	send(head + `[{"index":0,"delta":{},"finish_reason":"stop"}]}`)
	if req.StreamOptions.IncludeUsage {
		send(head + fmt.Sprintf(`[],"usage":{"prompt_tokens":14,"completion_tokens":%d,"total_tokens":%d}}`,
			len(words), 14+len(words)))
	}
	send("[DONE]")
}
