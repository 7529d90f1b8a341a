// Health: the seed's "Monitoring Your Setup" in Go. It builds a bus with a
// terminal, a Redis and a RabbitMQ sink, emits a few executions, prints each
// sink's health as the seed's check_streamll_health does, and then serves
//
//	/health   Bus.HealthHandler: JSON, 200 when every sink is healthy, else 503
//	/metrics  the sinks' counters for Prometheus (package bus/prom)
//
// until Ctrl-C. With -once it prints and exits instead, with status 1 when a
// sink is unhealthy, so it can serve as a check in CI or a container probe.
//
//	go run ./examples/health
//	go run ./examples/health -once
//	REDIS_URL=redis://127.0.0.1:1 go run ./examples/health -once -breaker-threshold 2
//
// REDIS_URL and RABBITMQ_URL locate the servers (defaults
// redis://localhost:6379 and amqp://guest:guest@localhost:5672/).
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("health: ")
	// go-redis logs its dial failures to standard error, for the whole
	// process; the sink's failures already reach Health and the bus's
	// logger, so silence the repeat (SetClientLogger(logger) would route
	// them into a slog logger instead).
	redissink.SetClientLogger(nil)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := command(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		log.Fatal(err)
	}
}

// command reads the configuration from the environment (getenv) and flags,
// and runs the program.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := defaultConfig()
	if v := getenv("REDIS_URL"); v != "" {
		cfg.RedisURL = v
	}
	if v := getenv("RABBITMQ_URL"); v != "" {
		cfg.RabbitMQURL = v
	}
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "address to serve /health and /metrics on")
	once := fs.Bool("once", false, "print the sinks' health and exit (status 1 when one is unhealthy)")
	quiet := fs.Bool("quiet", false, "discard the terminal sink's output instead of writing it to standard error")
	fs.StringVar(&cfg.Stream, "stream", cfg.Stream, "Redis stream key")
	fs.StringVar(&cfg.Exchange, "exchange", cfg.Exchange, "RabbitMQ exchange")
	fs.IntVar(&cfg.Executions, "executions", cfg.Executions, "executions to emit")
	fs.IntVar(&cfg.BreakerThreshold, "breaker-threshold", cfg.BreakerThreshold, "consecutive failures that open a sink's circuit")
	fs.DurationVar(&cfg.CloseTimeout, "close-timeout", cfg.CloseTimeout, "how long to try delivering what is left at exit")
	fs.DurationVar(&cfg.Settle, "settle", cfg.Settle, "how long to wait for the sinks to deliver before printing")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cfg.Serve = !*once
	cfg.Terminal = stderr
	if *quiet {
		cfg.Terminal = io.Discard
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return run(ctx, cfg, stdout, nil)
}
