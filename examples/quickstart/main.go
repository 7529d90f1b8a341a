// Quickstart: a small RAG chatbot traced to the terminal. It needs no server
// and no API key: retrieval and the LLM are simulated, the events are real.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer) (err error) {
	// The whole setup, as streamll.configure(sinks=[TerminalSink()]) in
	// Python: a default bus printing to the terminal, closed at the end.
	b, err := bus.Use(terminal.To(out))
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, b.Shutdown()) }() // exit 1 if an event was lost

	_, err = ChatBot{}.Forward(ctx, "What does streamll-go do?")
	return err
}

// ChatBot answers questions from a tiny document store.
type ChatBot struct{}

// Forward is instrumented like a @streamll.instrument'ed DSPy module: one
// execution per call, with the retrieval and the LLM call nested in it.
func (ChatBot) Forward(ctx context.Context, question string) (string, error) {
	forward := bus.Instrument(nil, bus.Op{Module: "ChatBot", Method: "forward", Operation: "forward"},
		func(ctx context.Context, question string) (string, error) {
			docs, err := retrieve(ctx, question)
			if err != nil {
				return "", err
			}
			return generate(ctx, question, docs)
		})
	return forward(ctx, question)
}

var library = []string{
	"streamll-go streams LLM execution events to the terminal, Redis Streams and RabbitMQ.",
	"Every sink runs in its own supervised actor with a buffer, retries and a circuit breaker.",
	"Emit never blocks the application.",
}

// retrieve finds the documents that mention a longer word of the question.
func retrieve(ctx context.Context, question string) (docs []string, err error) {
	ctx, ex := bus.Start(ctx, bus.Op{Operation: "retrieval", Data: map[string]any{"question": question}})
	defer ex.Finish(&err)
	for _, d := range library {
		for _, w := range strings.Fields(strings.Trim(question, "?")) {
			if len(w) > 3 && strings.Contains(d, w) {
				docs = append(docs, d)
				break
			}
		}
	}
	bus.Emit(ctx, "docs_found", map[string]any{"count": len(docs)}) // in the execution ctx carries
	return docs, ctx.Err()
}

// generate streams an answer token by token, like a chat completion.
func generate(ctx context.Context, question string, docs []string) (answer string, err error) {
	_, ex := bus.Start(ctx, bus.Op{Operation: "llm_call",
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
		case <-time.After(40 * time.Millisecond): // the simulated LLM thinking
		}
		sb.WriteString(tok)
		ex.Token(tok)
	}
	return sb.String(), nil
}
