// Routing: one instrumented RiskEngine, three destinations chosen per event,
// as the seed's "Custom Sink Routing" example does:
//
//	monitoring  Redis stream ai_monitoring              every event
//	audit       RabbitMQ exchange ai_audit              every event, audit.{module_name}.{event_type}
//	alerts      RabbitMQ exchange ai_alerts             error events only, alert.{operation}.error
//
// The consumers subcommand reads all three and prints what each destination
// got; start it first, then the producer:
//
//	go run ./examples/routing consumers
//	go run ./examples/routing producer -transactions 6
//
// REDIS_URL and RABBITMQ_URL locate the servers (defaults redis://localhost:6379
// and amqp://guest:guest@localhost:5672/). In the seed each destination is its
// own cluster: MONITORING_REDIS_URL, AUDIT_RABBITMQ_URL and ALERTS_RABBITMQ_URL
// override them per destination.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("routing: ")
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

// config locates the three destinations.
type config struct {
	// MonitoringURL is MONITORING_REDIS_URL, else REDIS_URL, else
	// redis://localhost:6379.
	MonitoringURL string
	// AuditURL and AlertsURL are AUDIT_RABBITMQ_URL and ALERTS_RABBITMQ_URL,
	// else RABBITMQ_URL, else amqp://guest:guest@localhost:5672/.
	AuditURL, AlertsURL string
	// MonitoringStream is the Redis stream. Default ai_monitoring.
	MonitoringStream string
	// AuditExchange and AlertsExchange are the RabbitMQ topic exchanges.
	// Defaults ai_audit and ai_alerts.
	AuditExchange, AlertsExchange string
}

// configFromEnv reads the URLs from getenv and sets the seed's names.
func configFromEnv(getenv func(string) string) config {
	first := func(def string, keys ...string) string {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				return v
			}
		}
		return def
	}
	const redisURL, rabbitURL = "redis://localhost:6379", "amqp://guest:guest@localhost:5672/"
	return config{
		MonitoringURL:    first(redisURL, "MONITORING_REDIS_URL", "REDIS_URL"),
		AuditURL:         first(rabbitURL, "AUDIT_RABBITMQ_URL", "RABBITMQ_URL"),
		AlertsURL:        first(rabbitURL, "ALERTS_RABBITMQ_URL", "RABBITMQ_URL"),
		MonitoringStream: "ai_monitoring",
		AuditExchange:    "ai_audit",
		AlertsExchange:   "ai_alerts",
	}
}

// command runs the subcommand named by args[0] with the rest of args as its
// flags.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: routing producer|consumers [flags] (-h for the flags)")
	}
	cfg := configFromEnv(getenv)
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.MonitoringStream, "stream", cfg.MonitoringStream, "monitoring Redis stream")
	fs.StringVar(&cfg.AuditExchange, "audit-exchange", cfg.AuditExchange, "audit exchange")
	fs.StringVar(&cfg.AlertsExchange, "alerts-exchange", cfg.AlertsExchange, "alerts exchange")

	var run func() error
	switch args[0] {
	case "producer":
		n := fs.Int("transactions", 6, "transactions to analyze; every third fails")
		run = func() error {
			_, err := runProducer(ctx, cfg, *n, stdout, slog.New(slog.NewTextHandler(stderr, nil)))
			return err
		}
	case "consumers":
		run = func() error {
			counts := map[string]int{}
			err := runConsumers(ctx, cfg, func() {
				fmt.Fprintf(stdout, "consumers: reading %s, %s and %s (Ctrl-C to stop)\n",
					cfg.MonitoringStream, cfg.AuditExchange, cfg.AlertsExchange)
			}, func(d delivery) {
				counts[d.Dest]++
				printDelivery(stdout, d)
			})
			for _, dest := range destinations {
				fmt.Fprintf(stdout, "%s: %d events\n", dest, counts[dest])
			}
			return err
		}
	default:
		return fmt.Errorf("unknown subcommand %q: want producer or consumers", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return run()
}

// closeTimeout bounds the producer's final flush.
const closeTimeout = 10 * time.Second
