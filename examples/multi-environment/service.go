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
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// run configures the bus for cfg.Environment, has a ProductionAIService
// process cfg.Requests requests, closes the bus and prints what each sink
// delivered. It returns the sinks' final health.
func run(ctx context.Context, cfg config, out io.Writer, logger *slog.Logger) ([]sinks.Health, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ss, err := buildSinks(cfg, logger)
	if err != nil {
		return nil, err
	}
	b, err := bus.New(bus.Config{Sinks: ss, Logger: logger})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(ss))
	for _, h := range b.Health() {
		names = append(names, h.Name)
	}
	logger.Info("streamll configured", "environment", cfg.Environment, "sinks", strings.Join(names, ", "))

	svc := NewProductionAIService(b)
	for i := range cfg.Requests {
		if ctx.Err() != nil {
			break
		}
		if _, err := svc.Forward(ctx, request(i)); err != nil {
			logger.Warn("request failed", "request", i+1, "err", err)
		}
	}

	closeErr := closeBus(b, cfg.CloseTimeout)
	health := b.Health()
	for _, h := range health {
		fmt.Fprintf(out, "%s: delivered %d events, dropped %d\n", h.Name, h.Delivered, h.DroppedTotal())
	}
	return health, closeErr
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

// ProductionAIService answers requests with an LLM (simulated). Every
// Forward is an execution, whatever sinks the environment configured.
type ProductionAIService struct {
	bus     *bus.Bus
	forward func(context.Context, string) (string, error)
}

// NewProductionAIService returns a service that traces to b.
func NewProductionAIService(b *bus.Bus) *ProductionAIService {
	s := &ProductionAIService{bus: b}
	s.forward = bus.Instrument(b, bus.Op{Module: "ProductionAIService", Method: "forward", Operation: "forward"}, s.process)
	return s
}

// Forward processes one request.
func (s *ProductionAIService) Forward(ctx context.Context, req string) (string, error) {
	return s.forward(ctx, req)
}

// errEmptyRequest is what the service answers to an empty request.
var errEmptyRequest = errors.New("empty request")

func (s *ProductionAIService) process(ctx context.Context, req string) (answer string, err error) {
	if strings.TrimSpace(req) == "" {
		return "", errEmptyRequest
	}
	_, ex := s.bus.Start(ctx, bus.Op{Operation: "llm_call", Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm"}})
	defer ex.Finish(&err)
	words := strings.Fields(req)
	for i, w := range words {
		if i > 0 {
			w = " " + w
		}
		ex.Token(w)
	}
	return strings.Join(words, " "), nil
}

var requests = []string{
	"Summarize the incident report",
	"Draft a reply to the customer",
	"", // an empty request: the service answers with an error
	"Classify this support ticket",
}

// request returns the i-th sample request.
func request(i int) string { return requests[i%len(requests)] }
