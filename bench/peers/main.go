package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// config is the command's flags.
type config struct {
	events, amqpEvents int
	natsEvents         int
	producers          int
	payload            int
	batch              int
	confirmWindow      int
	systems            string
	redisURL           string
	rabbitURL          string
	natsURL            string
}

// result is one system's run.
type result struct {
	group   string // what is compared: "redis", "rabbitmq", "nats"
	name    string
	events  int
	elapsed time.Duration
	stored  int64 // events the server holds at the end
}

func (r result) perSec() float64 { return float64(r.events) / r.elapsed.Seconds() }

func main() {
	var cfg config
	flag.IntVar(&cfg.events, "events", 200_000, "events per Redis run")
	flag.IntVar(&cfg.amqpEvents, "amqp-events", 50_000, "events per RabbitMQ run")
	flag.IntVar(&cfg.natsEvents, "nats-events", 100_000, "events per NATS JetStream run")
	flag.IntVar(&cfg.producers, "producers", 64, "producer goroutines")
	flag.IntVar(&cfg.payload, "payload", 400, "encoded event size in bytes")
	flag.IntVar(&cfg.batch, "batch", 0, "streamll-go sinks' batch size (default: the host's, 256)")
	flag.IntVar(&cfg.confirmWindow, "confirm-window", 1000, "streamll-go RabbitMQ confirm window and NATS ack window")
	flag.StringVar(&cfg.systems, "systems", "redis,rabbitmq", "what to compare, comma-separated: redis, rabbitmq, nats")
	flag.Parse()
	cfg.redisURL = envOr("REDIS_URL", "redis://localhost:6379")
	cfg.rabbitURL = envOr("RABBITMQ_URL", "amqp://guest:guest@localhost:5672/")
	cfg.natsURL = envOr("NATS_URL", "nats://127.0.0.1:4222")
	if cfg.events < 1 || cfg.amqpEvents < 1 || cfg.natsEvents < 1 || cfg.producers < 1 || cfg.payload < 0 || cfg.batch < 0 || cfg.confirmWindow < 1 {
		fmt.Fprintln(os.Stderr, "peers: -events, -amqp-events, -nats-events, -producers and -confirm-window must be positive; -payload and -batch not negative")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	results, err := runAll(ctx, cfg)
	printResults(cfg, results)
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		stop()
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// runAll runs each system in turn; the first of a group is streamll-go.
func runAll(ctx context.Context, cfg config) ([]result, error) {
	type job struct {
		group string
		run   func(context.Context, config) (result, error)
	}
	var jobs []job
	if strings.Contains(cfg.systems, "redis") {
		jobs = append(jobs, job{"redis", busRedis}, job{"redis", watermillRedis})
	}
	if strings.Contains(cfg.systems, "rabbitmq") {
		jobs = append(jobs, job{"rabbitmq", busAMQP}, job{"rabbitmq", watermillAMQPDefault}, job{"rabbitmq", watermillAMQPTuned})
	}
	if strings.Contains(cfg.systems, "nats") {
		jobs = append(jobs, job{"nats", busNATS}, job{"nats", watermillNATS})
	}
	var out []result
	for _, j := range jobs {
		fmt.Fprintf(os.Stderr, "running %s ...\n", j.group)
		r, err := j.run(ctx, cfg)
		if err != nil {
			return out, err
		}
		r.group = j.group
		fmt.Fprintf(os.Stderr, "  %s: %.0f events/s\n", r.name, r.perSec())
		if r.stored != int64(r.events) {
			return append(out, r), fmt.Errorf("%s: the server holds %d of %d events", r.name, r.stored, r.events)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, errors.New("-systems names nothing to run (redis, rabbitmq, nats)")
	}
	return out, nil
}

func printResults(cfg config, rs []result) {
	fmt.Printf("%s %s/%s, %d CPUs; %d producers, ~%d-byte events\n\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cfg.producers, cfg.payload)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\tevents\tseconds\tevents/s\tstreamll-go ÷ this\t")
	var ours float64
	for i, r := range rs {
		if i == 0 || rs[i-1].group != r.group {
			ours = r.perSec()
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.0f\t%.2f×\t\n", r.name, r.events, r.elapsed.Seconds(), r.perSec(), ours/r.perSec())
	}
	tw.Flush()
}
