package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// producerConfig configures the producer.
type producerConfig struct {
	// NATSURL locates the servers (NATS_URL).
	NATSURL string
	// Stream names the stream.
	Stream string
	// Questions is how many research questions to answer.
	Questions int
	// TokenDelay paces the simulated LLM's tokens.
	TokenDelay time.Duration
	// CloseTimeout bounds the final flush. Default 10s.
	CloseTimeout time.Duration
	// Logger receives the bus's and the sink's log lines. Nil: silent.
	Logger *slog.Logger
}

// producerReport is what the producer did.
type producerReport struct {
	Answered, Failed int
	// Tokens counts the tokens the simulated LLM streamed.
	Tokens int
	// Delivered counts the events the stream acknowledged.
	Delivered uint64
}

// runProducer answers cfg.Questions questions with a ResearchAgent whose
// every step is published to the stream.
func runProducer(ctx context.Context, cfg producerConfig, out io.Writer) (producerReport, error) {
	var rep producerReport
	// Subjects ai.<module>.<event_type>; the stream is created on the first
	// write if it is missing. Every message carries Nats-Msg-Id = event_id,
	// so a batch retried after a lost ack is not stored twice.
	sc := streamConfig(cfg.Stream)
	sink, err := natssink.New(natssink.Config{
		URL:          cfg.NATSURL,
		Stream:       cfg.Stream,
		Subject:      subjectTemplate,
		CreateStream: &sc,
	})
	if err != nil {
		return rep, err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}, Logger: cfg.Logger})
	if err != nil {
		return rep, err
	}

	agent := &ResearchAgent{bus: b, tokenDelay: cfg.TokenDelay}
	for i := range cfg.Questions {
		if ctx.Err() != nil {
			fmt.Fprintf(out, "interrupted after %d questions\n", i)
			break
		}
		q := question(i)
		answer, tokens, err := agent.Forward(ctx, q)
		rep.Tokens += tokens
		if err != nil {
			rep.Failed++
			fmt.Fprintf(out, "%-44s failed: %v\n", q, err)
			continue
		}
		rep.Answered++
		fmt.Fprintf(out, "%-44s %s\n", q, answer)
	}

	closeErr := closeBus(b, cfg.CloseTimeout)
	h := b.Health()[0]
	rep.Delivered = h.Delivered
	fmt.Fprintf(out, "answered %d questions, %d failed; %d tokens streamed\n", rep.Answered, rep.Failed, rep.Tokens)
	fmt.Fprintf(out, "delivered %d events to stream %s\n", h.Delivered, cfg.Stream)
	if n := h.DroppedTotal(); n > 0 {
		closeErr = errors.Join(closeErr, fmt.Errorf("%d events were not delivered: %v (last error: %s)", n, h.Dropped, h.LastError))
	}
	return rep, closeErr
}

// closeBus flushes and closes b within timeout (default 10s) and says what
// could not be delivered.
func closeBus(b *bus.Bus, timeout time.Duration) error {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		return fmt.Errorf("closing the bus: %w", err)
	}
	return nil
}

// ResearchAgent answers questions: it retrieves sources (the Retriever
// module) and has a (simulated) LLM write the answer (the Writer module),
// each step an execution nested in the agent's.
type ResearchAgent struct {
	bus        *bus.Bus
	tokenDelay time.Duration
}

// errNoSources is the retriever's answer to a question it finds nothing for.
var errNoSources = errors.New("no sources found")

// Forward answers q and returns the answer and how many tokens it streamed.
func (a *ResearchAgent) Forward(ctx context.Context, q string) (answer string, tokens int, err error) {
	ctx, ex := a.bus.Start(ctx, bus.Op{Module: "ResearchAgent", Method: "forward", Operation: "research",
		Data: map[string]any{"question": q}})
	defer func() { ex.EndWith(map[string]any{"tokens": tokens}, err) }()
	sources, err := a.retrieve(ctx, q)
	if err != nil {
		return "", 0, err
	}
	answer, tokens = a.write(ctx, q, sources)
	return answer, tokens, nil
}

func (a *ResearchAgent) retrieve(ctx context.Context, q string) (n int, err error) {
	_, ex := a.bus.Start(ctx, bus.Op{Module: "Retriever", Method: "search", Operation: "retrieval"})
	defer func() { ex.EndWith(map[string]any{"sources": n}, err) }()
	if strings.Contains(q, "unknowable") {
		return 0, errNoSources
	}
	n = 2 + len(q)%3
	ex.Emit("sources_found", map[string]any{"count": n})
	return n, nil
}

func (a *ResearchAgent) write(ctx context.Context, q string, sources int) (string, int) {
	_, ex := a.bus.Start(ctx, bus.Op{Module: "Writer", Method: "generate", Operation: "llm_call", TokenField: "answer",
		Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm"}})
	answer := fmt.Sprintf("%d sources agree: it depends on the data.", sources)
	words := strings.SplitAfter(answer, " ")
	for _, w := range words {
		if a.tokenDelay > 0 {
			select {
			case <-time.After(a.tokenDelay):
			case <-ctx.Done():
			}
		}
		ex.Token(w)
	}
	ex.EndWith(map[string]any{
		events.KeyGenAIUsageInputTokens:  40 + sources*100,
		events.KeyGenAIUsageOutputTokens: len(words),
	}, nil)
	return answer, len(words)
}

// question returns the i-th sample question; every fourth is one the
// retriever finds nothing for.
func question(i int) string {
	topics := []string{"vector indexes", "prompt caching", "token budgets", "the unknowable future"}
	return fmt.Sprintf("Q%02d: what should we know about %s?", i+1, topics[i%len(topics)])
}
