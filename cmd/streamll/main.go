package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// Exit codes.
const (
	exitOK    = 0 // done: interrupted, or --max-events reached
	exitError = 1 // the source could not be reached or was lost
	exitUsage = 2 // bad command line
)

// readWait is how long one read of the source waits for new events: Ctrl-C
// is noticed within it.
const readWait = 250 * time.Millisecond

// env is what a command gets from its process, so tests can run it.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

const usage = `streamll shows what a streamll-go (or Python streamll) application is doing,
from the events its sinks write to Redis, RabbitMQ or NATS.

Usage:
  streamll tail [flags] URL        print events as they arrive
  streamll dashboard [flags] URL   serve a live web page of executions, tokens, usage and errors
  streamll help [command]          show help

URL is spelled as the sink's (STREAMLL_SINKS), for example
  redis://localhost:6379?stream=ai_platform_events
  amqp://guest:guest@localhost:5672/?exchange=financial_ai_audit
  nats://127.0.0.1:4222?subject=streamll.>
If URL is omitted, STREAMLL_URL is used.

Run 'streamll help tail' or 'streamll dashboard --help' for a command's flags.
Exit status: 0 when stopped (Ctrl-C, --max-events), 1 when the source cannot
be reached or is lost, 2 for a bad command line.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run runs the command line args (without the program name) and returns
// the exit code.
func run(ctx context.Context, args []string, e env) int {
	quietRedis.Do(func() { redis.SetLogger(silent{}) })
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "tail":
		return runTail(ctx, args[1:], e)
	case "dashboard":
		return runDashboard(ctx, args[1:], e)
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			return run(ctx, []string{args[1], "--help"}, e)
		}
		fmt.Fprint(e.stdout, usage)
		return exitOK
	}
	fmt.Fprintf(e.stderr, "streamll: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// quietRedis silences go-redis's own logger, which would print its
// reconnection attempts over tail's output; failures reach the user as
// errors instead.
var quietRedis sync.Once

type silent struct{}

func (silent) Printf(context.Context, string, ...any) {}

// parseArgs parses flags that may come before or after the URL, as in
// `streamll tail URL --json`, and returns the URL (or STREAMLL_URL).
// It returns flag.ErrHelp for --help, after printing the help.
func parseArgs(fs *flag.FlagSet, args []string, e env) (string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return "", err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch len(positional) {
	case 0:
		if u := strings.TrimSpace(e.getenv("STREAMLL_URL")); u != "" {
			return u, nil
		}
		return "", errors.New("no URL given (and STREAMLL_URL is not set)")
	case 1:
		return positional[0], nil
	}
	return "", fmt.Errorf("one URL expected, got %d arguments", len(positional))
}

// usageError prints a command-line problem and the command's usage line.
func usageError(e env, fs *flag.FlagSet, err error) int {
	fmt.Fprintf(e.stderr, "streamll %s: %v\nRun 'streamll %s --help' for usage.\n", fs.Name(), err, fs.Name())
	return exitUsage
}

// listFlag is a flag that may be repeated and takes comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// tagFlag collects --tag key=value, repeatable.
type tagFlag map[string]string

func (t tagFlag) String() string {
	var parts []string
	for k, v := range t {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, ",")
}

func (t tagFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want key=value, such as customer_id=c-42")
	}
	t[k] = val
	return nil
}
