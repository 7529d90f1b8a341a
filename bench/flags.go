package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// Sink kinds the command drives.
const (
	kindMemory   = "memory"
	kindTerminal = "terminal"
	kindRedis    = "redis"
	kindRabbitMQ = "rabbitmq"
	kindNATS     = "nats"
)

var kinds = []string{kindMemory, kindTerminal, kindRedis, kindRabbitMQ, kindNATS}

// networkKinds are the kinds with a server: raw baselines, consumers and
// fault proxies exist for them.
var networkKinds = []string{kindRedis, kindRabbitMQ, kindNATS}

// Consumer modes.
const (
	consumeLive  = "live"  // read while producing: end-to-end latency
	consumeAfter = "after" // read once the run ended: counts only, no CPU taken from the run
	consumeOff   = "off"
)

// Outage modes.
const (
	outageCut    = "cut"
	outageFreeze = "freeze"
)

// config is one invocation of the command. The zero value is not runnable;
// parseFlags fills the defaults.
type config struct {
	Sinks        []string      // sink kinds, in order; a kind may repeat
	TerminalOut  string        // "null" or "pipe"
	Producers    int           // producer goroutines
	Events       int           // events to emit in all; 0: run for Duration
	Duration     time.Duration // how long producers emit when Events is 0
	Payload      int           // target size of one encoded event, bytes
	Batch        int           // sinks.Options.BatchSize
	Buffer       int           // sinks.Options.BufferSize
	Rate         float64       // events per second in all, open loop; 0: as fast as the sinks absorb
	Window       int           // closed loop: events in flight per sink before producers wait
	EmitSample   int           // time one Emit in this many
	Confirm      int           // RabbitMQ confirm window and NATS ack window, for the sinks and the raw baselines
	Consumer     string        // live, after or off
	Baseline     bool          // also run the raw clients
	Repeat       int           // rounds of the default scenario
	RawConns     int           // goroutines and connections of the raw go-redis baseline
	RawBatch     int           // XADDs per pipeline of the raw go-redis baseline
	Sweep        bool          // producers × sinks scaling sweep
	SweepProd    []int
	SweepSinks   []int
	Chart        string // where the sweep's chart goes (.svg or .png)
	Outage       time.Duration
	OutageAt     time.Duration
	OutageMode   string
	Blackhole    bool
	Flood        bool            // open-loop producers that never hold back
	Stall        bool            // -flood: the network sink's server accepts and never answers
	Rates        []float64       // fixed rates for the CPU-per-event scenario
	RawEvery     []time.Duration // -rates with redis: the go-redis loops' periods, the first the ratio's reference
	Linger       time.Duration
	SpoolCompare bool   // run without a spool and with each policy, in the same round
	SpoolSync    string // "": no spool; periodic, every_batch or never: each sink spools in a temporary directory
	NoLinger     bool
	BreakerWait  time.Duration // sinks' breaker recovery timeout; 0: default
	WriteTimeout time.Duration // sinks' WriteTimeout; 0: default
	JSON         bool
	RedisURL     string
	RabbitURL    string
	NATSURL      string
	Prefix       string        // of stream keys, exchanges and queues
	Keep         string        // name of the first sink's stream key or exchange, kept after the run
	Tick         time.Duration // progress interval

	progressOut io.Writer // where progress goes; nil: nowhere
	tty         bool      // progressOut is a terminal
}

// usageText heads -help.
const usageText = `Usage (from the bench directory): go run . [flags]

Drives events through a streamll-go bus into real sinks and reports
throughput, Emit latency, end-to-end latency and what every event became.
Service URLs come from REDIS_URL, RABBITMQ_URL and NATS_URL.

Examples:
  go run . -sink memory
  go run . -sink redis -events 500000 -batch 500 -baseline
  go run . -sink redis -rate 10000 -duration 10s
  go run . -sink rabbitmq -events 200000 -baseline
  go run . -sink nats -events 300000 -baseline
  go run . -sweep -chart ../docs/benchmarks-sweep.svg
  go run . -sink redis -rate 10000 -duration 10s -outage 3s
  go run . -sink redis -rate 10000 -blackhole

Flags:
`

// parseFlags reads args (without the program name) and the environment
// through getenv. Output of -help goes to out.
func parseFlags(args []string, getenv func(string) string, out io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprint(out, usageText)
		fs.PrintDefaults()
	}
	sinkList := fs.String("sink", kindMemory, "sinks, comma-separated: memory, terminal, redis, rabbitmq, nats (a kind may repeat)")
	fs.StringVar(&cfg.TerminalOut, "terminal-out", "null", "where the terminal sink writes: null (/dev/null) or pipe (a pipe drained by a reader)")
	fs.IntVar(&cfg.Producers, "producers", 4, "producer goroutines calling Emit")
	fs.IntVar(&cfg.Events, "events", 0, "events to emit in all (default: run for -duration)")
	fs.DurationVar(&cfg.Duration, "duration", 3*time.Second, "how long producers emit, when -events is not given")
	fs.IntVar(&cfg.Payload, "payload", 400, "size of one encoded event in bytes (the data field is padded to reach it)")
	fs.IntVar(&cfg.Batch, "batch", 0, "sinks' batch size (default: each driver's: Redis 1000, RabbitMQ and NATS the confirm window, others 256)")
	fs.IntVar(&cfg.RawBatch, "raw-batch", 0, "XADDs per pipeline of the raw go-redis baseline (default: -batch, else 500)")
	fs.IntVar(&cfg.Buffer, "buffer", 0, "sinks' buffer size in events (default: the host's, 10000)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "target events per second in all, open loop (default: as fast as the sinks absorb)")
	fs.IntVar(&cfg.Window, "window", 0, "as fast as possible: events in flight per sink before producers wait (default: half the buffer)")
	fs.IntVar(&cfg.EmitSample, "emit-sample", 1, "time one Emit in this many (timing costs two clock readings, ~70ns here)")
	fs.IntVar(&cfg.Confirm, "confirm-window", rabbitmqsink.DefaultConfirmWindow, "RabbitMQ publisher-confirm window and NATS JetStream ack window, for the sinks and the raw baselines")
	fs.StringVar(&cfg.Consumer, "consumer", "", "live (read while producing, measures end-to-end latency), after (read when done) or off (default: live with -rate, else after)")
	fs.BoolVar(&cfg.Baseline, "baseline", false, "also run the raw clients (go-redis pipelined XADD, amqp091-go with confirms, nats.go PublishAsync) on the same work, and print ratios")
	fs.IntVar(&cfg.RawConns, "raw-conns", 0, "goroutines, each with its connection, of the raw go-redis baseline (default: -producers; the sink uses one)")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "rounds of the run (and its baselines), interleaved; ratios are the median of the rounds'")
	fs.BoolVar(&cfg.Sweep, "sweep", false, "scaling sweep: throughput and Emit p99 for each -sweep-producers × -sweep-sinks")
	sweepProd := fs.String("sweep-producers", "1,2,4,8,16,32,64", "producer counts of the sweep")
	sweepSinks := fs.String("sweep-sinks", "1,2,3,4", "sink counts of the sweep (copies of the first -sink)")
	fs.StringVar(&cfg.Chart, "chart", "", "write the sweep's chart to this file (.svg or .png)")
	fs.DurationVar(&cfg.Outage, "outage", 0, "cut the first network sink off its server through a local proxy for this long, mid-run")
	fs.DurationVar(&cfg.OutageAt, "outage-at", 0, "when the outage starts (default: a quarter into -duration)")
	fs.StringVar(&cfg.OutageMode, "outage-mode", outageCut, "cut (connections reset) or freeze (connections hang)")
	fs.DurationVar(&cfg.WriteTimeout, "write-timeout", 0, "sinks' WriteTimeout (default: sinks.DefaultWriteTimeout)")
	fs.BoolVar(&cfg.Flood, "flood", false, "open-loop flood: -producers goroutines emit as fast as they can (no waiting for delivery) into the first -sink (memory or redis), beside a control loop without the bus and one closed-loop producer")
	fs.BoolVar(&cfg.Stall, "stall", false, "with -flood and -sink redis: point the sink at a server that accepts connections and never answers")
	rates := fs.String("rates", "", "fixed rates, comma-separated (e.g. 1000,10000,100000): process CPU per event through the bus into the first -sink, beside a loop without the bus and (redis) go-redis loops, for -duration each")
	rawEvery := fs.String("raw-every", "1ms,5ms", "with -rates and -sink redis: the periods of the go-redis loops beside the bus, comma-separated; the bus's ratio is to the first")
	fs.DurationVar(&cfg.Linger, "linger", 0, "the bus's Linger (default: bus.DefaultLinger)")
	fs.BoolVar(&cfg.NoLinger, "no-linger", false, "route every event at once (bus.Config.NoLinger)")
	fs.BoolVar(&cfg.SpoolCompare, "spool-compare", false, "in each round, also run the bus without a spool and with each spool policy (periodic, every_batch), and report the ratios")
	fs.StringVar(&cfg.SpoolSync, "spool", "", "give every sink a spool in a temporary directory, with this fsync policy: periodic, every_batch or never (default: no spool)")
	fs.BoolVar(&cfg.Blackhole, "blackhole", false, "run twice, the first network sink healthy then blackholed (a frozen proxy), and compare Emit latency")
	fs.DurationVar(&cfg.BreakerWait, "breaker-recovery", 0, "sinks' circuit-breaker recovery timeout (default: the host's, 5s)")
	fs.BoolVar(&cfg.JSON, "json", false, "print the report as JSON instead of a table")
	fs.StringVar(&cfg.Prefix, "prefix", "streamll_bench", "prefix of the stream keys, exchanges and queues (each run adds a random suffix and deletes them)")
	fs.StringVar(&cfg.Keep, "keep", "", "write the first network sink to this stream key (Redis) or exchange and queue (RabbitMQ), and leave them in place, to watch with streamll tail or dashboard")
	fs.DurationVar(&cfg.Tick, "progress", time.Second, "progress interval")
	smoke := fs.Bool("smoke", false, "CI smoke scenario: every sink at once, 1s at 2000 events/s, live consumer (explicit flags still apply)")

	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *smoke {
		if !set["sink"] {
			*sinkList = strings.Join(kinds, ",")
		}
		if !set["duration"] {
			cfg.Duration = time.Second
		}
		if !set["rate"] {
			cfg.Rate = 2000
		}
		if !set["consumer"] {
			cfg.Consumer = consumeLive
		}
	}
	if cfg.Sweep && !set["duration"] && !set["events"] {
		cfg.Duration = time.Second // per point: a sweep has many
	}
	if set["events"] && set["duration"] {
		return config{}, errors.New("-events and -duration exclude each other")
	}
	if (cfg.Outage > 0 || cfg.Blackhole) && !set["rate"] && !*smoke {
		// Closed-loop producers would wait for the dead sink; a fault
		// scenario needs them to keep emitting, as an application does.
		cfg.Rate = 10000
	}
	var err error
	if cfg.Sinks, err = parseKinds(*sinkList); err != nil {
		return config{}, err
	}
	if cfg.SpoolCompare && cfg.SpoolSync != "" {
		return config{}, errors.New("-spool-compare runs without a spool and with each policy itself: leave -spool out")
	}
	switch cfg.SpoolSync {
	case "", "periodic", "every_batch", "never":
	default:
		return config{}, fmt.Errorf("-spool %q: want periodic, every_batch or never", cfg.SpoolSync)
	}
	if *rates != "" {
		if cfg.Rates, err = parseList("-rates", *rates, "number", func(f string) (float64, error) {
			return strconv.ParseFloat(f, 64)
		}); err != nil {
			return config{}, err
		}
		if !set["duration"] {
			cfg.Duration = 5 * time.Second
		}
	}
	if cfg.RawEvery, err = parseList("-raw-every", *rawEvery, "duration", time.ParseDuration); err != nil {
		return config{}, err
	}
	if set["raw-every"] && len(cfg.Rates) == 0 {
		return config{}, errors.New("-raw-every sets the go-redis loops of the fixed-rate scenario: add -rates")
	}
	if cfg.SweepProd, err = parseList("-sweep-producers", *sweepProd, "integer", strconv.Atoi); err != nil {
		return config{}, err
	}
	if cfg.SweepSinks, err = parseList("-sweep-sinks", *sweepSinks, "integer", strconv.Atoi); err != nil {
		return config{}, err
	}
	cfg.RedisURL = envOr(getenv, "REDIS_URL", redissink.DefaultURL)
	cfg.RabbitURL = envOr(getenv, "RABBITMQ_URL", rabbitmqsink.DefaultURL)
	cfg.NATSURL = envOr(getenv, "NATS_URL", natssink.DefaultURL)
	if cfg.Consumer == "" {
		cfg.Consumer = consumeAfter
		if cfg.Rate > 0 {
			cfg.Consumer = consumeLive
		}
	}
	return cfg, cfg.validate()
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func parseKinds(s string) ([]string, error) {
	var out []string
	for k := range strings.SplitSeq(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if !slices.Contains(kinds, k) {
			return nil, fmt.Errorf("-sink: unknown sink %q (want %s)", k, strings.Join(kinds, ", "))
		}
		out = append(out, k)
	}
	return out, nil
}

// parseList reads a comma-separated list of positive values of flag name;
// what names the kind of value in the error.
func parseList[T int | float64 | time.Duration](name, s, what string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for f := range strings.SplitSeq(s, ",") {
		v, err := parse(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("%s: %q is not a positive %s", name, f, what)
		}
		out = append(out, v)
	}
	return out, nil
}

// validate reports every inconsistency in cfg at once.
func (cfg config) validate() error {
	var errs []error
	check := func(bad bool, format string, args ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(cfg.Producers < 1, "-producers must be at least 1, got %d", cfg.Producers)
	check(cfg.Events < 0, "-events must not be negative, got %d", cfg.Events)
	check(cfg.Events == 0 && cfg.Duration <= 0, "-duration must be positive, got %v", cfg.Duration)
	check(cfg.Payload < 0 || cfg.Payload > 1<<20, "-payload must be between 0 and 1 MiB, got %d", cfg.Payload)
	check(cfg.Batch < 0, "-batch must not be negative, got %d", cfg.Batch)
	check(cfg.Buffer < 0, "-buffer must not be negative, got %d", cfg.Buffer)
	check(cfg.Rate < 0, "-rate must not be negative, got %v", cfg.Rate)
	check(cfg.Window < 0, "-window must not be negative, got %d", cfg.Window)
	check(cfg.RawConns < 0, "-raw-conns must not be negative, got %d", cfg.RawConns)
	check(cfg.RawBatch < 0, "-raw-batch must not be negative, got %d", cfg.RawBatch)
	check(cfg.Repeat < 1, "-repeat must be at least 1, got %d", cfg.Repeat)
	check(cfg.Repeat > 1 && (cfg.Sweep || cfg.Outage > 0 || cfg.Blackhole), "-repeat applies to the default scenario only")
	check(cfg.EmitSample < 1, "-emit-sample must be at least 1, got %d", cfg.EmitSample)
	check(cfg.Confirm < 1, "-confirm-window must be at least 1, got %d", cfg.Confirm)
	check(cfg.TerminalOut != "null" && cfg.TerminalOut != "pipe", "-terminal-out must be null or pipe, got %q", cfg.TerminalOut)
	check(!slices.Contains([]string{consumeLive, consumeAfter, consumeOff}, cfg.Consumer),
		"-consumer must be live, after or off, got %q", cfg.Consumer)
	check(cfg.OutageMode != outageCut && cfg.OutageMode != outageFreeze, "-outage-mode must be cut or freeze, got %q", cfg.OutageMode)
	check(cfg.Outage < 0 || cfg.OutageAt < 0, "-outage and -outage-at must not be negative")
	check(cfg.BreakerWait < 0, "-breaker-recovery must not be negative, got %v", cfg.BreakerWait)
	check(cfg.Tick <= 0, "-progress must be positive, got %v", cfg.Tick)
	check(cfg.Prefix == "" || strings.ContainsAny(cfg.Prefix, " \t\n*#."),
		"-prefix must be non-empty without spaces, '.', '*' or '#', got %q", cfg.Prefix)
	check(cfg.Baseline && cfg.Rate > 0, "-baseline measures throughput: it cannot be combined with -rate")
	check(cfg.Baseline && !cfg.hasNetworkSink(), "-baseline needs a redis, rabbitmq or nats sink")
	faults := 0
	for _, on := range []bool{cfg.Outage > 0, cfg.Blackhole, cfg.Sweep, cfg.Baseline} {
		if on {
			faults++
		}
	}
	check(faults > 1, "-outage, -blackhole, -sweep and -baseline are separate scenarios: pick one")
	check((cfg.Outage > 0 || cfg.Blackhole) && !cfg.hasNetworkSink(), "-outage and -blackhole need a redis, rabbitmq or nats sink")
	check(cfg.Outage > 0 && cfg.Events > 0, "-outage runs for -duration; drop -events")
	check(cfg.Outage > 0 && cfg.outageStart()+cfg.Outage >= cfg.Duration,
		"-outage-at (default a quarter of -duration) + -outage must end before -duration")
	check(cfg.Chart != "" && !cfg.Sweep, "-chart draws the sweep: add -sweep")
	check(cfg.Chart != "" && !strings.HasSuffix(cfg.Chart, ".svg") && !strings.HasSuffix(cfg.Chart, ".png"),
		"-chart must end in .svg or .png, got %q", cfg.Chart)
	for _, raw := range []struct{ name, v string }{{"REDIS_URL", cfg.RedisURL}, {"RABBITMQ_URL", cfg.RabbitURL}, {"NATS_URL", cfg.NATSURL}} {
		if _, err := url.Parse(raw.v); err != nil {
			errs = append(errs, fmt.Errorf("%s is not a URL", raw.name)) // the parse error would show the password
		}
	}
	return errors.Join(errs...)
}

func (cfg config) hasNetworkSink() bool {
	return slices.ContainsFunc(cfg.Sinks, func(k string) bool { return slices.Contains(networkKinds, k) })
}

// outageStart is when the outage begins: -outage-at, or a quarter into the run.
func (cfg config) outageStart() time.Duration {
	if cfg.OutageAt > 0 {
		return cfg.OutageAt
	}
	return cfg.Duration / 4
}

// window returns the closed-loop in-flight bound per sink.
func (cfg config) window() int {
	if cfg.Window > 0 {
		return cfg.Window
	}
	return max(cfg.bufferSize()/2, 1)
}

func (cfg config) bufferSize() int {
	if cfg.Buffer > 0 {
		return cfg.Buffer
	}
	return sinks.DefaultBufferSize
}

// batchSize is the batch the sinks are given, or 0 for each driver's default.
func (cfg config) batchSize() int { return cfg.Batch }

// rawBatchSize is the raw go-redis baseline's pipeline length: -raw-batch,
// else -batch, else 500 (the ceiling the project measures against).
func (cfg config) rawBatchSize() int {
	switch {
	case cfg.RawBatch > 0:
		return cfg.RawBatch
	case cfg.Batch > 0:
		return cfg.Batch
	}
	return 500
}
