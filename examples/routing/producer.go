package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// The destinations, as the sinks are named in Health and the consumers print.
const (
	monitoring = "monitoring"
	audit      = "audit"
	alerts     = "alerts"
)

// destinations lists them in configuration order.
var destinations = []string{monitoring, audit, alerts}

// newSinks returns the seed's three sinks; they log through the bus's
// logger, each under its name.
func newSinks(cfg config) ([]sinks.Sink, error) {
	// Real-time monitoring: every event.
	mon, err := redissink.New(redissink.Config{
		URL:       cfg.MonitoringURL,
		StreamKey: cfg.MonitoringStream,
		Options:   sinks.Options{Name: monitoring},
	})
	if err != nil {
		return nil, err
	}
	// Audit trail: every event, durable.
	aud, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        cfg.AuditURL,
		Exchange:   cfg.AuditExchange,
		RoutingKey: "audit.{module_name}.{event_type}",
		Options:    sinks.Options{Name: audit},
	})
	if err != nil {
		return nil, err
	}
	// Error alerting: the filter runs on the bus's router, so the alerts
	// sink never even sees the other events.
	alr, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        cfg.AlertsURL,
		Exchange:   cfg.AlertsExchange,
		RoutingKey: "alert.{operation}.error",
		Options:    sinks.Options{Name: alerts, Filter: sinks.Types(events.TypeError)},
	})
	if err != nil {
		return nil, err
	}
	return []sinks.Sink{mon, aud, alr}, nil
}

// runProducer analyzes n transactions with a RiskEngine and prints what each
// destination was given. It returns the sinks' final health.
func runProducer(ctx context.Context, cfg config, n int, out io.Writer, logger *slog.Logger) ([]sinks.Health, error) {
	ss, err := newSinks(cfg)
	if err != nil {
		return nil, err
	}
	b, err := bus.New(bus.Config{Sinks: ss, Logger: logger})
	if err != nil {
		return nil, err
	}
	engine := NewRiskEngine(b)
	for i := range n {
		if ctx.Err() != nil {
			break
		}
		tx := transaction(i)
		if score, err := engine.Forward(ctx, tx); err != nil {
			fmt.Fprintf(out, "%s  failed: %v\n", tx.ID, err)
		} else {
			fmt.Fprintf(out, "%s  risk %.2f\n", tx.ID, score)
		}
	}

	closeCtx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	closeErr := b.Close(closeCtx)
	if closeErr != nil {
		closeErr = fmt.Errorf("closing the bus: %w", closeErr)
	}
	health := b.Health()
	for _, h := range health {
		fmt.Fprintf(out, "%s: delivered %d events\n", h.Name, h.Delivered)
	}
	return health, closeErr
}

// Transaction is a payment to score.
type Transaction struct {
	ID      string
	Amount  float64
	Country string
}

// RiskEngine scores transactions. Every Forward is an execution tagged
// service=risk_engine and criticality=high, as
// @streamll.instrument(tags={...}) tags the Python module.
type RiskEngine struct {
	bus     *bus.Bus
	forward func(context.Context, Transaction) (float64, error)
}

// NewRiskEngine returns an engine that traces to b.
func NewRiskEngine(b *bus.Bus) *RiskEngine {
	e := &RiskEngine{bus: b}
	e.forward = bus.Instrument(b, bus.Op{Module: "RiskEngine", Method: "forward", Operation: "analyze_risk",
		Tags: map[string]string{"service": "risk_engine", "criticality": "high"}}, e.analyze)
	return e
}

// Forward scores tx between 0 (safe) and 1 (fraud).
func (e *RiskEngine) Forward(ctx context.Context, tx Transaction) (float64, error) {
	return e.forward(ctx, tx)
}

func (e *RiskEngine) analyze(ctx context.Context, tx Transaction) (float64, error) {
	history, err := e.fetchHistory(ctx, tx)
	if err != nil {
		return 0, err
	}
	return e.score(ctx, tx, history), nil
}

// errHistoryTimeout is the simulated failure of the payment history service.
var errHistoryTimeout = errors.New("payment history service timed out")

func (e *RiskEngine) fetchHistory(ctx context.Context, tx Transaction) (payments int, err error) {
	_, ex := e.bus.Start(ctx, bus.Op{Operation: "fetch_history", Data: map[string]any{"transaction_id": tx.ID}})
	defer func() { ex.EndWith(map[string]any{"payments": payments}, err) }()
	if tx.Country == "" {
		return 0, errHistoryTimeout
	}
	return len(tx.ID) + int(tx.Amount)%7, nil
}

// score is the LLM call: it streams its verdict and reports usage.
func (e *RiskEngine) score(ctx context.Context, tx Transaction, history int) float64 {
	_, ex := e.bus.Start(ctx, bus.Op{Operation: "llm_call", Data: map[string]any{
		events.KeyGenAIRequestModel: "simulated-llm", "transaction_id": tx.ID}})
	risk := min(1, tx.Amount/20_000+1/float64(1+history))
	verdict := []string{"risk", fmt.Sprintf(" %.2f", risk)}
	for _, t := range verdict {
		ex.Token(t)
	}
	ex.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 48, events.KeyGenAIUsageOutputTokens: len(verdict)}, nil)
	return risk
}

// transaction returns the i-th sample transaction; every third one makes the
// history service time out.
func transaction(i int) Transaction {
	tx := Transaction{ID: fmt.Sprintf("tx-%04d", i+1), Amount: float64(120 + 3_700*(i%5)), Country: "DE"}
	if i%3 == 2 {
		tx.Country = ""
	}
	return tx
}
