// Multi-environment: one service, the sinks chosen by the ENVIRONMENT it runs
// in, as the seed's "Multi-Environment Deployment" example does:
//
//	development (default)  the terminal only
//	staging                the terminal and Redis (REDIS_URL, stream staging_ai_events)
//	production             Redis (REDIS_CLUSTER_URL, stream prod_ai_events) and
//	                       RabbitMQ (RABBITMQ_CLUSTER_URL, exchange production_ai,
//	                       routing key ai.{module_name}.{event_type})
//
// In production a missing REDIS_CLUSTER_URL or RABBITMQ_CLUSTER_URL falls back
// to REDIS_URL or RABBITMQ_URL, and says so on standard error.
//
//	go run ./examples/multi-environment
//	ENVIRONMENT=staging go run ./examples/multi-environment
//	ENVIRONMENT=production go run ./examples/multi-environment -requests 5
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
	log.SetPrefix("multi-environment: ")
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
// and runs the service.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := configFromEnv(getenv)
	fs := flag.NewFlagSet("multi-environment", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&cfg.Requests, "requests", cfg.Requests, "requests the service processes before it exits")
	stream := fs.String("stream", "", "Redis stream key (default staging_ai_events or prod_ai_events)")
	exchange := fs.String("exchange", cfg.ProductionExchange, "RabbitMQ exchange in production")
	fs.StringVar(&cfg.ProductionQueue, "queue", "", "in production, a durable queue to declare and bind with ai.# (default none)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *stream != "" {
		cfg.StagingStream, cfg.ProductionStream = *stream, *stream
	}
	cfg.ProductionExchange = *exchange
	cfg.Terminal = stdout
	_, err := run(ctx, cfg, stdout, slog.New(slog.NewTextHandler(stderr, nil)))
	return err
}
