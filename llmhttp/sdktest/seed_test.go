package sdktest

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/redis/go-redis/v9"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/servicetest"
	"github.com/streamll/streamll-go/llmhttp"
)

// TestSeedDashboardTotals runs the seed's Example 2 end to end: LLM calls
// made through three SDKs, for two customers, stream to Redis; a consumer
// written as the seed's dashboard (json.loads(fields[b'event']), then
// event['data'].get('tokens', 0) by event['tags'].get('customer_id'))
// gets each customer's true total, and the cost beside it.
func TestSeedDashboardTotals(t *testing.T) {
	url := servicetest.RedisURL(t)
	key := servicetest.Name(t, "llm_seed")
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() {
		rdb.Del(context.Background(), key)
		_ = rdb.Close()
	})
	sink, err := redissink.New(redissink.Config{URL: url, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := llmhttp.Config{Bus: b, IncludeUsage: true}
	forCustomer := func(id string) (context.Context, *bus.Execution) {
		return b.Start(ctxTimeout(t), bus.Op{Operation: "forward", Module: "DocumentAnalyzer", Tags: map[string]string{"customer_id": id}})
	}

	// c-1: a streamed OpenAI call through openai-go (12 + 2 tokens).
	_, openAIURL := newServer(t, sse(append(append([]string(nil), openAITextChunks...), openAIUsageChunk, "data: [DONE]")...))
	ctx, ex := forCustomer("c-1")
	openAIClient := openAIGo(t, openAIURL, cfg)
	stream := openAIClient.Chat.Completions.NewStreaming(ctx, openai.ChatCompletionNewParams{
		Model: "gpt-4o-mini", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	for stream.Next() {
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	_ = stream.Close()
	ex.End(nil)

	// c-2: an Anthropic call through anthropic-sdk-go (20 + 10 cached + 5).
	_, anthropicURL := newServer(t, jsonReply(200, anthropicMessage, nil))
	ctx, ex = forCustomer("c-2")
	claude := anthropicClient(t, anthropicURL, cfg)
	if _, err := claude.Messages.New(ctx, anthropic.MessageNewParams{
		Model: anthropic.ModelClaudeHaiku4_5, MaxTokens: 64,
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))},
	}); err != nil {
		t.Fatal(err)
	}
	ex.End(nil)

	// c-1 again: a local model through langchaingo's Ollama client (26 + 282).
	_, ollamaURL := newServer(t, ollamaChatStream)
	ctx, ex = forCustomer("c-1")
	llm, err := ollama.New(ollama.WithServerURL(ollamaURL), ollama.WithModel("llama3.2"),
		ollama.WithHTTPClient(&http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b, Base: baseTransport(t)})}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := llm.GenerateContent(ctx, []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "why is the sky blue?")}); err != nil {
		t.Fatal(err)
	}
	ex.End(nil)

	closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(closeCtx); err != nil {
		t.Fatal(err)
	}

	// The seed's consumer.
	entries, err := rdb.XRange(context.Background(), key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	tokens, cost := map[string]float64{}, map[string]float64{}
	for _, e := range entries {
		var event struct {
			Data map[string]any    `json:"data"`
			Tags map[string]string `json:"tags"`
		}
		if err := json.Unmarshal([]byte(e.Values["event"].(string)), &event); err != nil {
			t.Fatal(err)
		}
		n, _ := event.Data["tokens"].(float64) // .get('tokens', 0)
		tokens[event.Tags["customer_id"]] += n
		c, _ := event.Data["gen_ai.usage.cost"].(float64)
		cost[event.Tags["customer_id"]] += c
	}
	if tokens["c-1"] != 14+308 || tokens["c-2"] != 35 {
		t.Errorf("the dashboard sums tokens %v, want c-1: 322, c-2: 35 (%d entries)", tokens, len(entries))
	}
	// c-1: 12 at 0.15 and 2 at 0.60 per million (Ollama's llama3.2 is
	// unpriced); c-2: 20 at 1, 10 cached at 0.10, 5 at 5.
	if math.Abs(cost["c-1"]-3e-06) > 1e-12 || math.Abs(cost["c-2"]-4.6e-05) > 1e-12 {
		t.Errorf("cost by customer %v", cost)
	}
}
