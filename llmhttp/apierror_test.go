package llmhttp_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// Error bodies as OpenAI and Anthropic document them.
const (
	openAIQuota = `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.",` +
		`"type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	openAITokensPerMin = `{"error":{"message":"Rate limit reached for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Used 29000, Requested 2000.",` +
		`"type":"tokens","param":null,"code":"rate_limit_exceeded"}}`
	openAIContextLength = `{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error",` +
		`"param":"messages","code":"context_length_exceeded"}}`
	openAIBadKey       = `{"error":{"message":"Incorrect API key provided: sk-xxxx.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	openAIServerError  = `{"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}}`
	anthropicRateLimit = `{"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},` +
		`"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}`
)

// TestErrorClassification checks error.type: the most specific field of the
// provider's error body wins.
func TestErrorClassification(t *testing.T) {
	tests := []struct {
		name, path string
		status     int
		body       string
		want       string
	}{
		{"rate limit on requests", "/v1/chat/completions", 429, openAIRateLimit, "rate_limit_exceeded"},
		{"rate limit on tokens", "/v1/chat/completions", 429, openAITokensPerMin, "rate_limit_exceeded"},
		{"quota, also a 429", "/v1/chat/completions", 429, openAIQuota, "insufficient_quota"},
		{"context length", "/v1/chat/completions", 400, openAIContextLength, "context_length_exceeded"},
		{"bad key", "/v1/chat/completions", 401, openAIBadKey, "invalid_api_key"},
		{"null code", "/v1/chat/completions", 500, openAIServerError, "server_error"},
		{"anthropic", "/v1/messages", 429, anthropicRateLimit, "rate_limit_error"},
		{"anthropic overloaded", "/v1/messages", 529, anthropicOver, "overloaded_error"},
		{"vLLM numeric code", "/v1/chat/completions", 404, vLLMBadRequest, "NotFoundError"},
		{"only a status", "/v1/chat/completions", 503, "", "503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			request := chatRequest
			if tt.path == "/v1/messages" {
				request = anthropicRequest
			}
			_, evs := roundTrip(t, llmhttp.Config{}, jsonReply(tt.status, tt.body), tt.path, request)
			if types(evs) != "start error" {
				t.Fatalf("events %q, want start error", types(evs))
			}
			checkData(t, "error", evs[1].Data, map[string]any{llmhttp.KeyProviderErrorType: tt.want, llmhttp.KeyHTTPStatusCode: tt.status})
		})
	}
}

// retryingClient sends a request the way openai-go and anthropic-sdk-go
// retry: on a 429 or 529 it closes the body unread and tries again, up to
// attempts times.
func retryingClient(t *testing.T, c *http.Client, url, body string, attempts int) (status int, read string) {
	t.Helper()
	for i := range attempts {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Stainless-Retry-Count", strconv.Itoa(i))
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == 429 || resp.StatusCode == 529 {
			_ = resp.Body.Close() // unread, as the SDKs do before retrying
			continue
		}
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(b)
	}
	return 0, ""
}

// TestRetriedAttemptsKeepTheProvidersError checks that an attempt whose
// error body the SDK closes unread still records the provider's error, and
// that every attempt records the rate-limit headers.
func TestRetriedAttemptsKeepTheProvidersError(t *testing.T) {
	attempt := 0
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		attempt++
		h := w.Header()
		h.Set("x-ratelimit-limit-requests", "500")
		h.Set("x-ratelimit-remaining-requests", strconv.Itoa(3-attempt))
		h.Set("x-ratelimit-reset-tokens", "6m0s")
		h.Set("Content-Type", "application/json")
		if attempt < 3 {
			h.Set("retry-after", "1")
			h.Set("retry-after-ms", "10")
			w.WriteHeader(429)
			_, _ = io.WriteString(w, openAIRateLimit)
			return
		}
		_, _ = io.WriteString(w, chatResponse)
	}))
	b, mem := newBus(t)
	client := newClient(t, llmhttp.Config{Bus: b})
	status, body := retryingClient(t, client, srv.URL+"/v1/chat/completions", `{"model":"gpt-4o","messages":[]}`, 3)
	if status != 200 || body != chatResponse {
		t.Fatalf("final attempt: %d %q", status, body)
	}
	closeBus(t, b)
	evs := mem.Events()
	if types(evs) != "start error start error start end" {
		t.Fatalf("events %q, want three attempts: two errors, then an end", types(evs))
	}
	for i, ev := range []events.Event{evs[1], evs[3]} {
		checkData(t, "error of attempt "+strconv.Itoa(i), ev.Data, map[string]any{
			llmhttp.KeyProviderErrorType: "rate_limit_exceeded",
			events.KeyErrorMessage: "llmhttp: HTTP 429: requests: rate_limit_exceeded: Rate limit reached for gpt-4o-mini in organization org-x " +
				"on requests per min (RPM): Limit 3, Used 3.",
			llmhttp.KeyHTTPResponseHeaderPrefix + "retry-after":                    "1",
			llmhttp.KeyHTTPResponseHeaderPrefix + "retry-after-ms":                 "10",
			llmhttp.KeyHTTPResponseHeaderPrefix + "x-ratelimit-limit-requests":     "500",
			llmhttp.KeyHTTPResponseHeaderPrefix + "x-ratelimit-remaining-requests": strconv.Itoa(2 - i),
			llmhttp.KeyHTTPResponseHeaderPrefix + "x-ratelimit-reset-tokens":       "6m0s",
		})
	}
	checkData(t, "end", evs[5].Data, map[string]any{
		llmhttp.KeyHTTPResponseHeaderPrefix + "x-ratelimit-remaining-requests": "0",
	}, llmhttp.KeyHTTPResponseHeaderPrefix+"retry-after")
	for i := 0; i < 6; i += 2 {
		checkData(t, "start", evs[i].Data, map[string]any{llmhttp.KeyHTTPResendCount: i / 2})
	}
}

// TestErrorBodiesReachTheCallerUnchanged checks that reading an error body
// ahead changes nothing the caller sees: the same bytes, a body longer than
// what is read ahead included, and the same read error for a cut body.
func TestErrorBodiesReachTheCallerUnchanged(t *testing.T) {
	long := `{"error":{"message":"` + strings.Repeat("x", 100<<10) + `","type":"invalid_request_error","code":"too_long"}}`
	t.Run("long body", func(t *testing.T) {
		got, evs := roundTrip(t, llmhttp.Config{}, jsonReply(400, long), "/v1/chat/completions", chatRequest)
		if got != long {
			t.Fatalf("the caller read %d bytes, want the server's %d", len(got), len(long))
		}
		if types(evs) != "start error" {
			t.Fatalf("events %q", types(evs))
		}
		checkData(t, "error", evs[1].Data, map[string]any{llmhttp.KeyProviderErrorType: "400", llmhttp.KeyHTTPStatusCode: 400})
	})
	t.Run("cut body", func(t *testing.T) {
		srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(500)
			_, _ = io.WriteString(w, `{"error":{"mess`)
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}))
		b, mem := newBus(t)
		client := newClient(t, llmhttp.Config{Bus: b})
		resp := post(t, context.Background(), client, srv.URL+"/v1/chat/completions", chatRequest)
		got, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err == nil || string(got) != `{"error":{"mess` {
			t.Fatalf("the caller read %q, %v; want the bytes sent and an error", got, err)
		}
		closeBus(t, b)
		if evs := mem.Events(); types(evs) != "start error" || evs[1].Data[llmhttp.KeyProviderErrorType] != "500" {
			t.Fatalf("events %q %v", types(evs), evs)
		}
	})
}

// TestRateLimitHeadersOnSuccess checks Anthropic's rate-limit headers on a
// successful call's end event, next to the usage they explain.
func TestRateLimitHeadersOnSuccess(t *testing.T) {
	r := jsonReply(200, anthropicResponse)
	r.header = http.Header{
		"Anthropic-Ratelimit-Requests-Limit":         {"50"},
		"Anthropic-Ratelimit-Requests-Remaining":     {"49"},
		"Anthropic-Ratelimit-Requests-Reset":         {"2026-12-01T20:00:00Z"},
		"Anthropic-Ratelimit-Input-Tokens-Remaining": {"29000"},
		"Request-Id": {"req_1"}, // not a rate-limit header
	}
	_, evs := roundTrip(t, llmhttp.Config{}, r, "/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`)
	end := last(t, evs)
	checkData(t, "end", end.Data, map[string]any{
		llmhttp.KeyHTTPResponseHeaderPrefix + "anthropic-ratelimit-requests-limit":         "50",
		llmhttp.KeyHTTPResponseHeaderPrefix + "anthropic-ratelimit-requests-remaining":     "49",
		llmhttp.KeyHTTPResponseHeaderPrefix + "anthropic-ratelimit-requests-reset":         "2026-12-01T20:00:00Z",
		llmhttp.KeyHTTPResponseHeaderPrefix + "anthropic-ratelimit-input-tokens-remaining": "29000",
	}, llmhttp.KeyHTTPResponseHeaderPrefix+"request-id")
}
