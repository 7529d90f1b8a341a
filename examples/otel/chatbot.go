package main

import (
	"context"
	"strings"
	"time"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// ChatBot is the quickstart's RAG chatbot: one forward execution per
// question, with a retrieval and a streamed LLM call nested in it.
type ChatBot struct {
	// Bus receives the events.
	Bus *bus.Bus
	// TokenDelay is how long the simulated LLM thinks before each token.
	TokenDelay time.Duration
}

// Forward answers question and returns the id of its top-level execution,
// from which the OpenTelemetry sink derives the trace id.
func (c ChatBot) Forward(ctx context.Context, question string) (answer, executionID string, err error) {
	forward := bus.Instrument(c.Bus, bus.Op{Module: "ChatBot", Method: "forward", Operation: "forward"},
		func(ctx context.Context, question string) (string, error) {
			executionID = bus.FromContext(ctx).ID()
			docs, err := c.retrieve(ctx, question)
			if err != nil {
				return "", err
			}
			return c.generate(ctx, question, docs)
		})
	answer, err = forward(ctx, question)
	return answer, executionID, err
}

var library = []string{
	"streamll-go streams LLM execution events to the terminal, Redis Streams and RabbitMQ.",
	"Every sink runs in its own supervised actor with a buffer, retries and a circuit breaker.",
	"Emit never blocks the application.",
}

// retrieve finds the documents that mention a longer word of the question.
func (c ChatBot) retrieve(ctx context.Context, question string) (docs []string, err error) {
	ctx, ex := c.Bus.Start(ctx, bus.Op{Operation: "retrieval", Data: map[string]any{"question": question}})
	defer ex.Finish(&err)
	for _, d := range library {
		for _, w := range strings.Fields(strings.Trim(question, "?")) {
			if len(w) > 3 && strings.Contains(d, w) {
				docs = append(docs, d)
				break
			}
		}
	}
	ex.Emit("docs_found", map[string]any{"count": len(docs)})
	return docs, ctx.Err()
}

// generate streams an answer token by token, like a chat completion.
func (c ChatBot) generate(ctx context.Context, question string, docs []string) (answer string, err error) {
	_, ex := c.Bus.Start(ctx, bus.Op{Operation: "llm_call",
		Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm", "documents": len(docs)}})
	defer func() {
		if err != nil {
			ex.End(err)
			return
		}
		ex.EndWith(map[string]any{
			events.KeyGenAIResponseModel:     "simulated-llm",
			events.KeyGenAIUsageInputTokens:  len(strings.Fields(question + strings.Join(docs, " "))),
			events.KeyGenAIUsageOutputTokens: len(strings.Fields(answer)),
		}, nil)
	}()
	tokens := []string{"streamll-go", " streams", " every", " LLM", " call", ",", " token", " and", " error",
		" to", " the", " systems", " you", " run", "."}
	var sb strings.Builder
	for _, tok := range tokens {
		select {
		case <-ctx.Done():
			return sb.String(), ctx.Err()
		case <-time.After(c.TokenDelay):
		}
		sb.WriteString(tok)
		ex.Token(tok)
	}
	return sb.String(), nil
}
