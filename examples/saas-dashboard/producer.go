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
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// The operations a document analysis is made of.
const (
	opForward = "forward"
	opLLMCall = "llm_call"
)

// producerConfig configures the producer. The zero value is not used as is:
// command fills it from the environment and flags.
type producerConfig struct {
	// RedisURL locates Redis (REDIS_URL).
	RedisURL string
	// StreamKey is the stream the events go to.
	StreamKey string
	// Documents is how many documents to analyze.
	Documents int
	// Customers share the documents round-robin.
	Customers []string
	// TokenDelay is the simulated LLM's time per token; 0 streams at once.
	TokenDelay time.Duration
	// CloseTimeout bounds the final flush to Redis. Default 10s.
	CloseTimeout time.Duration
	// Logger receives the bus's log lines (breaker changes, drops). Nil: silent.
	Logger *slog.Logger
}

// runProducer analyzes cfg.Documents documents for cfg.Customers, streaming
// every execution to Redis, and prints what it did per customer. It returns
// that usage, as the dashboard should count it. Interrupting it (ctx) stops
// the analyses; the events already emitted are still flushed.
func runProducer(ctx context.Context, cfg producerConfig, out io.Writer) (usageByCustomer, error) {
	if len(cfg.Customers) == 0 {
		return nil, errors.New("no customers")
	}
	// The seed's RedisSink(max_buffer_size=10000, circuit_breaker=True,
	// failure_threshold=5, recovery_timeout=30.0).
	sink, err := redissink.New(redissink.Config{
		URL:       cfg.RedisURL,
		StreamKey: cfg.StreamKey,
		Options: sinks.Options{
			BufferSize: 10000,
			Breaker:    supervisor.BreakerPolicy{FailureThreshold: 5, RecoveryTimeout: 30 * time.Second},
		},
	})
	if err != nil {
		return nil, err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}

	llm := &simulatedLLM{bus: b, tokenDelay: cfg.TokenDelay}
	analyzers := map[string]*DocumentAnalyzer{}
	for _, c := range cfg.Customers {
		analyzers[c] = NewDocumentAnalyzer(b, c, llm)
	}
	produced := usageByCustomer{}
	for i := range cfg.Documents {
		if ctx.Err() != nil {
			fmt.Fprintf(out, "interrupted after %d documents\n", i)
			break
		}
		customer := cfg.Customers[i%len(cfg.Customers)]
		a, err := analyzers[customer].Forward(ctx, document(i))
		u := produced.of(customer)
		u.Operations[opForward]++
		u.Operations[opLLMCall]++
		u.TokenEvents += a.OutputTokens
		u.InputTokens += a.InputTokens
		u.OutputTokens += a.OutputTokens
		u.Tokens += a.InputTokens + a.OutputTokens
		u.Cost += a.Cost
		if err != nil {
			u.Errors += 2 // the llm_call and the forward around it
		}
	}

	if err := closeBus(b, cfg.CloseTimeout); err != nil {
		return produced, err
	}
	if err := produced.writeTable(out); err != nil {
		return produced, err
	}
	h := b.Health()[0]
	fmt.Fprintf(out, "delivered %d events to %s\n", h.Delivered, cfg.StreamKey)
	return produced, nil
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

// Document is a customer's document to analyze.
type Document struct {
	ID   string
	Text string
}

// Analysis is what DocumentAnalyzer returns.
type Analysis struct {
	Summary      string
	InputTokens  int
	OutputTokens int
	Cost         float64 // US dollars
}

// DocumentAnalyzer summarizes one customer's documents. Every Forward is an
// execution tagged with the customer_id, and so is the LLM call nested in it:
// the tag is inherited.
type DocumentAnalyzer struct {
	llm     *simulatedLLM
	forward func(context.Context, Document) (Analysis, error)
}

// NewDocumentAnalyzer returns an analyzer for customerID that traces to b,
// as @streamll.instrument traces a DSPy module.
func NewDocumentAnalyzer(b *bus.Bus, customerID string, llm *simulatedLLM) *DocumentAnalyzer {
	a := &DocumentAnalyzer{llm: llm}
	a.forward = bus.Instrument(b, bus.Op{
		Module:    "DocumentAnalyzer",
		Method:    "forward",
		Operation: opForward,
		Tags:      map[string]string{"customer_id": customerID},
	}, a.analyze)
	return a
}

// Forward analyzes doc.
func (a *DocumentAnalyzer) Forward(ctx context.Context, doc Document) (Analysis, error) {
	return a.forward(ctx, doc)
}

func (a *DocumentAnalyzer) analyze(ctx context.Context, doc Document) (Analysis, error) {
	return a.llm.complete(ctx, "Summarize document "+doc.ID+": "+doc.Text)
}

// simulatedPrice is what the simulated model costs, per million tokens:
// gpt-4o-mini's list price.
var simulatedPrice = llmhttp.Price{Model: "simulated-llm", Currency: "USD", Input: 0.15, Output: 0.60, Source: "example"}

// simulatedLLM stands in for a chat completion API: it streams a short
// summary of the prompt token by token and reports its usage, so the events
// are real without an API key.
type simulatedLLM struct {
	bus        *bus.Bus
	tokenDelay time.Duration
}

func (l *simulatedLLM) complete(ctx context.Context, prompt string) (a Analysis, err error) {
	_, ex := l.bus.Start(ctx, bus.Op{Operation: opLLMCall, Data: map[string]any{
		events.KeyGenAISystem:       "simulated",
		events.KeyGenAIRequestModel: "simulated-llm",
	}})
	defer func() {
		// Priced as llmhttp prices a real call, from its usage.
		a.Cost = simulatedPrice.Cost(llmhttp.Usage{Input: int64(a.InputTokens), Output: int64(a.OutputTokens)})
		ex.EndWith(map[string]any{
			events.KeyGenAIResponseModel:     "simulated-llm",
			events.KeyGenAIUsageInputTokens:  a.InputTokens,
			events.KeyGenAIUsageOutputTokens: a.OutputTokens,
			events.KeyGenAIUsageCost:         a.Cost,
			events.KeyGenAIUsageCostCurrency: simulatedPrice.Currency,
			events.KeyGenAIUsageCostSource:   llmhttp.CostSourceLocal,
		}, err)
	}()

	words := strings.Fields(prompt)
	a.InputTokens = len(words)
	var sb strings.Builder
	for i, w := range words[3 : 3+min(len(words)-3, 2+len(words)%5)] {
		if l.tokenDelay > 0 {
			select {
			case <-ctx.Done():
				return a, ctx.Err()
			case <-time.After(l.tokenDelay):
			}
		}
		if i > 0 {
			w = " " + w
		}
		sb.WriteString(w)
		ex.Token(w)
		a.OutputTokens++
	}
	a.Summary = sb.String()
	return a, nil
}

var vocabulary = strings.Fields(`invoice contract renewal pricing churn onboarding
	latency refund upgrade quarterly forecast revenue support ticket escalation
	compliance region migration outage retention`)

// document returns the i-th sample document: deterministic, of varying length.
func document(i int) Document {
	n := 8 + i%9
	w := make([]string, n)
	for j := range w {
		w[j] = vocabulary[(i*7+j*3)%len(vocabulary)]
	}
	return Document{ID: fmt.Sprintf("doc-%04d", i+1), Text: strings.Join(w, " ")}
}
