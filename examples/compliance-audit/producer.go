package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// producerConfig configures the producer.
type producerConfig struct {
	// RabbitMQURL locates the broker (RABBITMQ_URL).
	RabbitMQURL string
	// Exchange and Queue name the audit exchange and queue.
	Exchange, Queue string
	// Applications is how many loan applications to decide.
	Applications int
	// CloseTimeout bounds the final flush to the broker. Default 10s.
	CloseTimeout time.Duration
	// Logger receives the bus's and the sink's log lines. Nil: silent.
	Logger *slog.Logger
}

// producerReport is what the producer did.
type producerReport struct {
	Approved, Declined, Failed int
	// Delivered counts the events the broker confirmed.
	Delivered uint64
}

// runProducer decides cfg.Applications loan applications with a
// LoanDecisionEngine whose every step is published to the audit exchange.
func runProducer(ctx context.Context, cfg producerConfig, out io.Writer) (producerReport, error) {
	var rep producerReport
	// The seed's RabbitMQSink(exchange="financial_ai_audit",
	// routing_key="loan.{operation}.{event_type}", durable=True,
	// circuit_breaker=True, max_retries=5). Durable is the zero value, the
	// breaker is on by default. Two additions for an audit trail: the sink
	// declares the queue too, so events published before the audit consumer
	// first runs wait for it; and Mandatory makes an event that reaches no
	// queue a counted failure instead of a silent discard. The sink logs
	// (connections, returned events) through the bus's logger.
	sink, err := rabbitmqsink.New(rabbitmqsink.Config{
		URL:        cfg.RabbitMQURL,
		Exchange:   cfg.Exchange,
		RoutingKey: "loan.{operation}.{event_type}",
		Queue:      &rabbitmqsink.QueueConfig{Name: cfg.Queue, BindingKey: bindingKey},
		Mandatory:  true,
		Options:    sinks.Options{Retry: supervisor.Retry{MaxRetries: 5}}, // max_retries=5
	})
	if err != nil {
		return rep, err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}, Logger: cfg.Logger})
	if err != nil {
		return rep, err
	}

	engine := NewLoanDecisionEngine(b)
	for i := range cfg.Applications {
		if ctx.Err() != nil {
			fmt.Fprintf(out, "interrupted after %d applications\n", i)
			break
		}
		app := application(i)
		d, err := engine.Forward(ctx, app)
		switch {
		case err != nil:
			rep.Failed++
			fmt.Fprintf(out, "%s  failed    %v\n", app.LoanID, err)
		case d.Approved:
			rep.Approved++
			fmt.Fprintf(out, "%s  approved  %s\n", app.LoanID, d.Reason)
		default:
			rep.Declined++
			fmt.Fprintf(out, "%s  declined  %s\n", app.LoanID, d.Reason)
		}
	}

	closeErr := closeBus(b, cfg.CloseTimeout)
	h := b.Health()[0]
	rep.Delivered = h.Delivered
	fmt.Fprintf(out, "decided %d applications: %d approved, %d declined, %d failed\n",
		rep.Approved+rep.Declined+rep.Failed, rep.Approved, rep.Declined, rep.Failed)
	fmt.Fprintf(out, "delivered %d events to exchange %s\n", h.Delivered, cfg.Exchange)
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

// LoanApplication is what a loan officer submits.
type LoanApplication struct {
	LoanID, OfficerID string
	Amount, Income    float64
	// CreditScore is the bureau's score; 0 means the bureau has no record.
	CreditScore int
}

// Decision is the engine's answer.
type Decision struct {
	Approved bool
	Reason   string
}

// LoanDecisionEngine decides loan applications with an (simulated) LLM. Every
// decision is an execution tagged department=lending and risk_level=high, as
// @streamll.instrument(tags=...) tags the Python module, plus the application's
// loan_id and officer_id, which the audit trail is searched by.
type LoanDecisionEngine struct {
	bus  *bus.Bus
	tags map[string]string
}

// NewLoanDecisionEngine returns an engine that traces to b.
func NewLoanDecisionEngine(b *bus.Bus) *LoanDecisionEngine {
	return &LoanDecisionEngine{bus: b, tags: map[string]string{"department": "lending", "risk_level": "high"}}
}

// Forward decides app. The instrumented function is made per application, so
// that its execution, and every step nested in it, carries the loan's tags.
func (e *LoanDecisionEngine) Forward(ctx context.Context, app LoanApplication) (Decision, error) {
	tags := map[string]string{"loan_id": app.LoanID, "officer_id": app.OfficerID}
	maps.Copy(tags, e.tags)
	forward := bus.Instrument(e.bus, bus.Op{Module: "LoanDecisionEngine", Method: "forward",
		Operation: "loan_decision", Tags: tags, Data: map[string]any{"amount": app.Amount}}, e.evaluate)
	return forward(ctx, app)
}

func (e *LoanDecisionEngine) evaluate(ctx context.Context, app LoanApplication) (Decision, error) {
	score, err := e.creditCheck(ctx, app)
	if err != nil {
		return Decision{}, err
	}
	d := e.assessRisk(ctx, app, score)
	bus.FromContext(ctx).Emit("decision", map[string]any{"approved": d.Approved, "reason": d.Reason, "amount": app.Amount})
	return d, nil
}

// errNoCreditRecord is the credit bureau's answer for an unknown applicant.
var errNoCreditRecord = errors.New("credit bureau has no record of the applicant")

func (e *LoanDecisionEngine) creditCheck(ctx context.Context, app LoanApplication) (score int, err error) {
	_, ex := e.bus.Start(ctx, bus.Op{Operation: "credit_check", Data: map[string]any{"bureau": "simulated"}})
	defer func() { ex.EndWith(map[string]any{"credit_score": score}, err) }()
	if app.CreditScore == 0 {
		return 0, errNoCreditRecord
	}
	return app.CreditScore, nil
}

// assessRisk is the LLM call: it streams its rationale and reports usage.
func (e *LoanDecisionEngine) assessRisk(ctx context.Context, app LoanApplication, score int) Decision {
	_, ex := e.bus.Start(ctx, bus.Op{Operation: "risk_assessment", TokenField: "rationale",
		Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm"}})
	ratio := app.Amount / app.Income
	d := Decision{Approved: score >= 650 && ratio <= 4}
	verdict := "decline"
	if d.Approved {
		verdict = "approve"
	}
	d.Reason = fmt.Sprintf("score %d, loan/income %.1f: %s", score, ratio, verdict)
	tokens := strings.SplitAfter(d.Reason, " ")
	for _, t := range tokens {
		ex.Token(t)
	}
	ex.EndWith(map[string]any{
		events.KeyGenAIUsageInputTokens:  64,
		events.KeyGenAIUsageOutputTokens: len(tokens),
	}, nil)
	return d
}

// application returns the i-th sample application; every fifth applicant is
// unknown to the credit bureau.
func application(i int) LoanApplication {
	app := LoanApplication{
		LoanID:      fmt.Sprintf("L-2026-%04d", i+1),
		OfficerID:   fmt.Sprintf("officer-%d", i%3+1),
		Amount:      float64(50_000 + 25_000*(i%6)),
		Income:      float64(40_000 + 15_000*(i%4)),
		CreditScore: 600 + (i*37)%200,
	}
	if i%5 == 4 {
		app.CreditScore = 0
	}
	return app
}
