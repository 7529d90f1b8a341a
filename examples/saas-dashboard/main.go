// Saas-dashboard: a customer-facing AI platform streams every document
// analysis to a Redis stream, and a dashboard backend turns the stream into
// per-customer usage (operations and tokens) as it happens. It is the Go
// counterpart of the seed's "SaaS Platform with Dashboard" example.
//
// One program, two subcommands. Start the dashboard first (it reads new
// entries only, like XREAD from $), then the producer in another terminal:
//
//	go run ./examples/saas-dashboard dashboard
//	go run ./examples/saas-dashboard producer -documents 20
//
// Both read REDIS_URL (default redis://localhost:6379).
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
	"strings"
	"syscall"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// Defaults shared by both subcommands.
const (
	defaultRedisURL  = "redis://localhost:6379"
	defaultStreamKey = "ai_platform_events"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("saas-dashboard: ")
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

// command runs the subcommand named by args[0] with the rest of args as its
// flags. Configuration comes from the environment (getenv) first, then flags.
func command(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: saas-dashboard producer|dashboard [flags] (-h for the flags)")
	}
	redisURL := getenv("REDIS_URL")
	if redisURL == "" {
		redisURL = defaultRedisURL
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	stream := fs.String("stream", defaultStreamKey, "Redis stream key")

	var run func() error
	switch args[0] {
	case "producer":
		cfg := producerConfig{RedisURL: redisURL}
		fs.IntVar(&cfg.Documents, "documents", 20, "documents to analyze")
		customers := fs.String("customers", "acme,globex,initech", "comma-separated customer ids; documents are shared round-robin")
		fs.DurationVar(&cfg.TokenDelay, "token-delay", 5*time.Millisecond, "simulated time the LLM takes per token")
		run = func() error {
			cfg.StreamKey = *stream
			cfg.Customers = splitList(*customers)
			cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
			_, err := runProducer(ctx, cfg, stdout)
			return err
		}
	case "dashboard":
		cfg := dashboardConfig{RedisURL: redisURL}
		fs.StringVar(&cfg.From, "from", "$", `where to start reading: "$" for new entries only, "0" to replay the stream`)
		fs.IntVar(&cfg.MaxEvents, "max-events", 0, "stop after this many events (0: run until Ctrl-C)")
		fs.DurationVar(&cfg.Refresh, "refresh", 5*time.Second, "print the usage table this often while events arrive (0: only on exit)")
		run = func() error {
			cfg.StreamKey = *stream
			_, err := runDashboard(ctx, cfg, stdout, func() {
				fmt.Fprintf(stdout, "dashboard: reading %s from %s (Ctrl-C to stop)\n", cfg.StreamKey, cfg.From)
			})
			return err
		}
	default:
		return fmt.Errorf("unknown subcommand %q: want producer or dashboard", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return run()
}

// splitList splits a comma-separated flag value, leaving out empty items.
func splitList(s string) []string {
	var items []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			items = append(items, item)
		}
	}
	return items
}
