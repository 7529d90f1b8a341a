package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/consume"
	"github.com/streamll/streamll-go/events"
)

const tailUsage = `Usage: streamll tail [flags] URL

Prints events as they arrive, one line each, as the terminal sink does
(tokens of one execution on one growing line), or as raw JSON with --json.
On exit it prints a one-line summary to standard error.

  streamll tail redis://localhost:6379?stream=ai_platform_events
  streamll tail --tag customer_id=c-42 --type start,end,error redis://localhost:6379?stream=ai_events
  streamll tail --from beginning --json 'amqp://guest:guest@localhost:5672/?exchange=audit' | jq .
  streamll tail --execution k3Jd9a nats://127.0.0.1:4222?subject=streamll.>

Redis reads with XREAD (add group=NAME to the URL to read as a consumer
group, acknowledging each entry). RabbitMQ binds a private queue to the
exchange, so tail sees a copy and takes nothing from other consumers; with
queue=NAME it consumes (and acknowledges) that queue's messages instead.

Flags:
`

// tailConfig is one tail invocation.
type tailConfig struct {
	url       string
	from      string
	types     listFlag
	tags      tagFlag
	execution string
	module    string
	operation string
	json      bool
	color     string
	noTokens  bool
	noData    bool
	maxData   int
	utc       bool
	maxEvents uint64
	quiet     bool
}

func runTail(ctx context.Context, args []string, e env) int {
	cfg := tailConfig{tags: tagFlag{}}
	fs := flag.NewFlagSet("tail", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), tailUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&cfg.from, "from", consume.FromNow, "where to start: now, beginning, or a position (Redis entry ID, NATS sequence)")
	fs.Var(&cfg.types, "type", "show only these event types, comma-separated or repeated (start,token,end,error,...)")
	fs.Var(cfg.tags, "tag", "show only events with this tag, as key=value; repeat for several (all must match)")
	fs.StringVar(&cfg.execution, "execution", "", "show only this execution (its id, or the start of it) and the executions nested in it")
	fs.StringVar(&cfg.module, "module", "", "show only events of this module")
	fs.StringVar(&cfg.operation, "operation", "", "show only events of this operation")
	fs.BoolVar(&cfg.json, "json", false, "print each event's JSON, one per line, as it was read")
	fs.StringVar(&cfg.color, "color", "auto", "auto (colour on a terminal unless NO_COLOR is set), always or never")
	fs.BoolVar(&cfg.noTokens, "no-tokens", false, "leave token events out (they are not counted by -n)")
	fs.BoolVar(&cfg.noData, "no-data", false, "leave data out of the lines")
	fs.IntVar(&cfg.maxData, "max-data", terminal.DefaultMaxDataLen, "cut the data shown on a line to this many characters (-1: no limit)")
	fs.BoolVar(&cfg.utc, "utc", false, "show times in UTC instead of local time")
	fs.Uint64Var(&cfg.maxEvents, "n", 0, "stop after showing this many events (0: run until Ctrl-C)")
	fs.Uint64Var(&cfg.maxEvents, "max-events", 0, "same as -n")
	fs.BoolVar(&cfg.quiet, "quiet", false, "print no status lines or summary on standard error")
	url, err := parseArgs(fs, args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return usageError(e, fs, err)
	}
	cfg.url = url
	color, err := colorMode(cfg.color)
	if err != nil {
		return usageError(e, fs, err)
	}
	if cfg.maxData == 0 {
		cfg.noData = true
	}
	return tail(ctx, cfg, color, e)
}

func colorMode(s string) (terminal.ColorMode, error) {
	switch s {
	case "auto":
		return terminal.ColorAuto, nil
	case "always":
		return terminal.ColorAlways, nil
	case "never":
		return terminal.ColorNever, nil
	}
	return 0, fmt.Errorf("--color %q: want auto, always or never", s)
}

func tail(ctx context.Context, cfg tailConfig, color terminal.ColorMode, e env) int {
	loc := time.Local
	if cfg.utc {
		loc = time.UTC
	}
	term, err := terminal.New(terminal.Config{Output: e.stdout, Color: color, HideTokens: cfg.noTokens,
		HideData: cfg.noData, MaxDataLen: cfg.maxData, Location: loc})
	if err != nil {
		fmt.Fprintf(e.stderr, "streamll tail: %v\n", err)
		return exitUsage
	}
	sum := &summary{started: time.Now()}
	var logger *slog.Logger
	if !cfg.quiet {
		logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c, err := consume.Open(ctx, cfg.url, consume.Options{From: cfg.from, Batch: 1000, Wait: readWait, Logger: logger})
	if err != nil {
		fmt.Fprintf(e.stderr, "streamll tail: %v\n", err)
		if errors.Is(err, consume.ErrInvalidConfig) {
			return exitUsage
		}
		return exitError
	}
	defer c.Close()
	if !cfg.quiet {
		fmt.Fprintf(e.stderr, "streamll tail: reading %s from %s (Ctrl-C to stop)\n", c, cfg.from)
	}

	f := newFilter(cfg.types, cfg.tags, cfg.module, cfg.operation, cfg.execution)
	f.noTokens = cfg.noTokens
	out := bufio.NewWriterSize(e.stdout, 64<<10)
	var shown []*events.Event
	err = c.RunBatch(ctx, func(ctx context.Context, batch []consume.Message) (int, error) {
		shown = shown[:0]
		var stop error
		n := len(batch)
		for i := range batch {
			m := &batch[i]
			sum.read++
			if !f.match(&m.Event) {
				continue
			}
			sum.add(&m.Event)
			if cfg.json {
				writeJSONLine(out, m.Raw)
			} else {
				shown = append(shown, &m.Event)
			}
			if cfg.maxEvents > 0 && sum.shown >= cfg.maxEvents {
				stop, n = consume.ErrStop, i+1
				break
			}
		}
		if cfg.json {
			if err := out.Flush(); err != nil {
				return 0, err
			}
		} else if len(shown) > 0 {
			if err := term.Write(ctx, shown); err != nil {
				return 0, err
			}
		}
		return n, stop
	})
	_ = term.Close(context.Background()) // ends an open token line
	sum.invalid = c.Stats().Invalid
	if !cfg.quiet {
		fmt.Fprintf(e.stderr, "streamll tail: %s\n", sum)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "streamll tail: %v\n", err)
		return exitError
	}
	return exitOK
}

// writeJSONLine writes raw on one line: compacted if it spans several.
func writeJSONLine(w *bufio.Writer, raw []byte) {
	if bytes.ContainsAny(raw, "\r\n") {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			raw = b.Bytes()
		}
	}
	w.Write(raw)
	w.WriteByte('\n')
}
