// Compliance-audit: a bank's AI loan decisions published to a durable RabbitMQ
// topic exchange, and the audit consumer that keeps the regulatory trail. It is
// the Go counterpart of the seed's "Financial Services (Compliance)" example.
//
// One program, two subcommands; either may start first, since both declare
// the durable exchange financial_ai_audit and the durable queue
// loan_audit_trail bound with loan.#:
//
//	go run ./examples/compliance-audit audit -file loan_audit_trail.jsonl
//	go run ./examples/compliance-audit producer -applications 10
//
// Both read RABBITMQ_URL (default amqp://guest:guest@localhost:5672/).
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
)

// The seed's names, the defaults of both subcommands.
const (
	defaultRabbitMQURL = "amqp://guest:guest@localhost:5672/"
	defaultExchange    = "financial_ai_audit"
	defaultQueue       = "loan_audit_trail"
	bindingKey         = "loan.#"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("compliance-audit: ")
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
		return errors.New("usage: compliance-audit producer|audit [flags] (-h for the flags)")
	}
	url := getenv("RABBITMQ_URL")
	if url == "" {
		url = defaultRabbitMQURL
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	exchange := fs.String("exchange", defaultExchange, "topic exchange the decisions are published to")
	queue := fs.String("queue", defaultQueue, "durable audit queue, bound with "+bindingKey)

	var run func() error
	switch args[0] {
	case "producer":
		cfg := producerConfig{RabbitMQURL: url}
		fs.IntVar(&cfg.Applications, "applications", 10, "loan applications to decide")
		run = func() error {
			cfg.Exchange, cfg.Queue = *exchange, *queue
			cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
			_, err := runProducer(ctx, cfg, stdout)
			return err
		}
	case "audit":
		cfg := auditConfig{RabbitMQURL: url}
		fs.StringVar(&cfg.File, "file", "loan_audit_trail.jsonl", "JSON Lines file the audit records are appended to")
		fs.IntVar(&cfg.Prefetch, "prefetch", 100, "most unacknowledged messages the broker sends ahead")
		fs.IntVar(&cfg.MaxEvents, "max-events", 0, "stop after storing this many events (0: run until Ctrl-C)")
		run = func() error {
			cfg.Exchange, cfg.Queue = *exchange, *queue
			n, err := runAudit(ctx, cfg, stdout, func() {
				fmt.Fprintf(stdout, "audit: storing %s (bound %s on %s) in %s (Ctrl-C to stop)\n",
					cfg.Queue, bindingKey, cfg.Exchange, cfg.File)
			})
			fmt.Fprintf(stdout, "audit: stored %d events\n", n)
			return err
		}
	default:
		return fmt.Errorf("unknown subcommand %q: want producer or audit", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return run()
}
