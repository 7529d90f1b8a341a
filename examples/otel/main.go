// otel: the quickstart's RAG chatbot, traced to an OpenTelemetry backend.
// Each question becomes one trace: the chatbot's forward span, with the
// retrieval and the LLM call as its children, exported over OTLP/HTTP to
// OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318), with the
// headers of OTEL_EXPORTER_OTLP_HEADERS. See README.md for Jaeger, Tempo,
// Langfuse and LangSmith.
//
//	go run ./examples/otel
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/bus"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, 40*time.Millisecond); err != nil {
		log.Fatal(err)
	}
}

var questions = []string{
	"What does streamll-go do?",
	"Does Emit block the application?",
}

func run(ctx context.Context, out io.Writer, tokenDelay time.Duration) error {
	// The standard OTEL_* variables, as every OpenTelemetry SDK reads them.
	cfg, err := otelsink.EnvConfig()
	if err != nil {
		return err
	}
	cfg.ServiceName = cmp.Or(cfg.ServiceName, "streamll-quickstart")
	otlp, err := otelsink.New(cfg)
	if err != nil {
		return err
	}
	term, err := terminal.New(terminal.Config{Output: out, HideTokens: true})
	if err != nil {
		return err
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{term, otlp}})
	if err != nil {
		return err
	}

	bot := ChatBot{Bus: b, TokenDelay: tokenDelay}
	var traces []string
	for _, q := range questions {
		_, id, err := bot.Forward(ctx, q)
		if err != nil {
			_ = closeBus(b)
			return err
		}
		traces = append(traces, otelsink.TraceIDFor(id).String())
	}

	// Close delivers what is left, the last spans included, or says what
	// it could not.
	if err := closeBus(b); err != nil {
		return fmt.Errorf("%w\n(is an OTLP/HTTP receiver listening at %s? See examples/otel/README.md)", err, strings.TrimPrefix(otlp.Name(), "otlp:"))
	}
	st := otlp.Stats()
	fmt.Fprintf(out, "\n%d spans exported to %s (%d lost)\n", st.Spans, otlp.Name(), st.Lost)
	for _, id := range traces {
		fmt.Fprintf(out, "trace %s\n", id)
	}
	for _, h := range b.Health() {
		if h.Name == otlp.Name() && h.LastError != "" {
			fmt.Fprintf(out, "last error: %s\n", h.LastError)
		}
	}
	return nil
}

func closeBus(b *bus.Bus) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return b.Close(ctx)
}
