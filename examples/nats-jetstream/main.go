// Nats-jetstream: a research assistant's executions published to a NATS
// JetStream stream, and a usage ledger that reads them with a durable pull
// consumer and acknowledges each one. JetStream is what a team grows into
// when one Redis or one broker is not enough: a replicated stream that keeps
// events on disk, and consumers that resume where they stopped.
//
// One program, three subcommands; the producer and the consumer may start in
// either order, since both create the stream ai_events (subjects ai.>) if it
// is missing:
//
//	go run ./examples/nats-jetstream consumer
//	go run ./examples/nats-jetstream producer -questions 10
//	go run ./examples/nats-jetstream reset      # deletes the stream and its consumer
//
// All read NATS_URL (default nats://127.0.0.1:4222; several servers of a
// cluster separated by commas).
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
)

// The example's names, the defaults of every subcommand.
const (
	defaultNATSURL = "nats://127.0.0.1:4222"
	defaultStream  = "ai_events"
	defaultDurable = "usage_ledger"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("nats-jetstream: ")
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
		return errors.New("usage: nats-jetstream producer|consumer|reset [flags] (-h for the flags)")
	}
	url := getenv("NATS_URL")
	if url == "" {
		url = defaultNATSURL
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	stream := fs.String("stream", defaultStream, "JetStream stream of the events (subjects ai.>)")

	var run func() error
	switch args[0] {
	case "producer":
		cfg := producerConfig{NATSURL: url}
		fs.IntVar(&cfg.Questions, "questions", 10, "research questions to answer")
		fs.DurationVar(&cfg.TokenDelay, "token-delay", 2*time.Millisecond, "pause between streamed tokens (a simulated LLM)")
		run = func() error {
			cfg.Stream = *stream
			cfg.Logger = slog.New(slog.NewTextHandler(stderr, nil))
			_, err := runProducer(ctx, cfg, stdout)
			return err
		}
	case "consumer":
		cfg := consumerConfig{NATSURL: url}
		fs.StringVar(&cfg.Durable, "durable", defaultDurable, "durable consumer name: a restarted consumer resumes after its last ack")
		fs.IntVar(&cfg.MaxEvents, "max-events", 0, "stop after this many events (0: no limit)")
		fs.DurationVar(&cfg.Idle, "idle", 0, "stop once no event came for this long (0: run until Ctrl-C)")
		run = func() error {
			cfg.Stream = *stream
			_, err := runConsumer(ctx, cfg, stdout, func() {
				fmt.Fprintf(stdout, "consumer: reading %s as durable %s (Ctrl-C to stop)\n", cfg.Stream, cfg.Durable)
			})
			return err
		}
	case "reset":
		run = func() error { return resetStream(ctx, url, *stream, stdout) }
	default:
		return fmt.Errorf("unknown subcommand %q: want producer, consumer or reset", args[0])
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	return run()
}
