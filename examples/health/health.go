package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/bus/prom"
)

// config configures the program.
type config struct {
	// RedisURL and RabbitMQURL locate the servers (REDIS_URL, RABBITMQ_URL).
	RedisURL, RabbitMQURL string
	// Stream and Exchange are where the Redis and RabbitMQ sinks write.
	// Defaults: the drivers' own, streamll_events and streamll.
	Stream, Exchange string
	// Terminal receives the terminal sink's lines. Default io.Discard.
	Terminal io.Writer
	// Executions is how many traced calls to emit. Default 5.
	Executions int
	// BreakerThreshold is the consecutive failures that open a sink's
	// circuit. Default 5, as the seed.
	BreakerThreshold int
	// Settle bounds the wait for the sinks to deliver (or give up) before the
	// health is printed. Default 5s.
	Settle time.Duration
	// Serve keeps serving /health and /metrics on Addr until ctx ends;
	// otherwise run prints the health and returns.
	Serve bool
	// Addr is where to serve. Default 127.0.0.1:9464.
	Addr string
	// CloseTimeout bounds the final flush. Default 5s.
	CloseTimeout time.Duration
	// Logger receives the bus's log lines. Nil: silent.
	Logger *slog.Logger
}

func defaultConfig() config {
	return config{
		RedisURL:         redissink.DefaultURL,
		RabbitMQURL:      rabbitmqsink.DefaultURL,
		Stream:           redissink.DefaultStreamKey,
		Exchange:         rabbitmqsink.DefaultExchange,
		Executions:       5,
		BreakerThreshold: 5,
		Settle:           5 * time.Second,
		Serve:            true,
		Addr:             "127.0.0.1:9464",
		CloseTimeout:     5 * time.Second,
	}
}

// errUnhealthy is what run returns, without Serve, when a sink is unhealthy.
var errUnhealthy = errors.New("a sink is unhealthy")

// run builds the bus, emits cfg.Executions executions, waits for the sinks to
// settle, prints their health to out and either returns or serves /health and
// /metrics until ctx ends. ready (if not nil) gets the address served on.
func run(ctx context.Context, cfg config, out io.Writer, ready func(addr string)) (err error) {
	b, err := newBus(cfg)
	if err != nil {
		return err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), cfg.CloseTimeout)
		defer cancel()
		if cerr := b.Close(closeCtx); cerr != nil {
			err = errors.Join(err, fmt.Errorf("closing the bus: %w", cerr))
		}
	}()

	emit(ctx, b, cfg.Executions)
	settle(ctx, b, cfg.Settle)
	printHealth(out, b.Health())
	if !cfg.Serve {
		if !b.Report().Healthy {
			return errUnhealthy
		}
		return nil
	}
	return serve(ctx, cfg.Addr, newMux(b), out, ready)
}

// newBus returns a bus with the three sinks, each breaker opening after
// cfg.BreakerThreshold consecutive failures.
func newBus(cfg config) (*bus.Bus, error) {
	opts := sinks.Options{Breaker: supervisor.BreakerPolicy{FailureThreshold: cfg.BreakerThreshold}}
	term, err := terminal.New(terminal.Config{Output: cfg.Terminal, Options: opts})
	if err != nil {
		return nil, err
	}
	red, err := redissink.New(redissink.Config{URL: cfg.RedisURL, StreamKey: cfg.Stream, Options: opts})
	if err != nil {
		return nil, err
	}
	rab, err := rabbitmqsink.New(rabbitmqsink.Config{URL: cfg.RabbitMQURL, Exchange: cfg.Exchange, Options: opts})
	if err != nil {
		return nil, err
	}
	return bus.New(bus.Config{Sinks: []sinks.Sink{term, red, rab}, Logger: cfg.Logger})
}

// eventsPerCall is how many events one call of emit's assistant makes: its
// start and end, and the start, two tokens and end of the LLM call in it.
const eventsPerCall = 6

// emit traces n calls of a tiny simulated assistant and returns how many
// events it emitted.
func emit(ctx context.Context, b *bus.Bus, n int) (emitted uint64) {
	ask := bus.Instrument(b, bus.Op{Module: "Assistant", Method: "forward", Operation: "forward"},
		func(ctx context.Context, q string) (string, error) {
			_, ex := b.Start(ctx, bus.Op{Operation: "llm_call"})
			ex.Token("All")
			ex.Token(" good.")
			ex.End(nil)
			return "All good.", nil
		})
	for i := range n {
		if _, err := ask(ctx, fmt.Sprintf("health check %d", i+1)); err != nil {
			break
		}
		emitted += eventsPerCall
	}
	return emitted
}

// settle waits, at most for wait, until every sink has delivered (or
// dropped and counted) what was emitted: Flush is the barrier. A sink whose
// server is down holds it until wait passes, which is what the health
// report then shows.
func settle(ctx context.Context, b *bus.Bus, wait time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	_ = b.Flush(ctx) // a deadline here is a finding, reported by printHealth
}

// printHealth prints each sink as the seed's check_streamll_health does, with
// the counters under it.
func printHealth(w io.Writer, hs []sinks.Health) {
	for _, h := range hs {
		mark := "✅"
		if !h.IsRunning() {
			mark = "❌"
		}
		fmt.Fprintf(w, "%s %s: running=%t\n", mark, h.Name, h.IsRunning())
		if h.FailedAttempts > 0 {
			fmt.Fprintf(w, "⚠️  Recent failures: %d\n", h.FailedAttempts)
		}
		if h.CircuitOpen() {
			fmt.Fprintln(w, "🔴 Circuit breaker: OPEN")
		}
		fmt.Fprintf(w, "   delivered=%d dropped=%d buffered=%d\n", h.Delivered, h.DroppedTotal(), h.Buffered)
		if h.LastError != "" {
			fmt.Fprintf(w, "   last error: %s\n", h.LastError)
		}
	}
}

// newMux serves the bus's health at /health and its metrics at /metrics,
// from a registry of its own rather than the global one.
func newMux(b *bus.Bus) *http.ServeMux {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prom.NewCollector(b, prom.Options{}))
	mux := http.NewServeMux()
	mux.Handle("GET /health", b.HealthHandler())
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// serve serves h on addr until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, addr string, h http.Handler, out io.Writer, ready func(string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	fmt.Fprintf(out, "serving http://%s/health and http://%s/metrics (Ctrl-C to stop)\n", ln.Addr(), ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
