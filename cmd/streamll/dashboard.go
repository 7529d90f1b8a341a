package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/streamll/streamll-go/cmd/streamll/internal/dashboard"
	"github.com/streamll/streamll-go/consume"
	"github.com/streamll/streamll-go/events"
)

const dashboardUsage = `Usage: streamll dashboard [flags] URL

Serves a web page that shows, live, what the application writing to URL is
doing: executions as a tree, each LLM call's tokens as they stream, time to
first token and duration, usage per tag (gen_ai.usage.* by customer_id or any
other tag), the error rate and recent errors, and events/s over time. With
--health pointing at a bus's HealthHandler, it also shows each sink's state,
circuit, buffered and dropped counts.

  streamll dashboard redis://localhost:6379?stream=ai_platform_events
  streamll dashboard --listen 127.0.0.1:9090 --health http://localhost:8081/health 'amqp://guest:guest@localhost:5672/?exchange=audit'

The page stays responsive at any rate: it gets at most 20 updates a second,
keeps the last --max-executions executions, and says when it leaves some out.
If the source is lost, the dashboard keeps serving and reconnects.

Flags:
`

func runDashboard(ctx context.Context, args []string, e env) int {
	fs := flag.NewFlagSet("dashboard", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), dashboardUsage)
		fs.PrintDefaults()
	}
	listen := fs.String("listen", "127.0.0.1:8080", "address to serve the page on (port 0: any free port)")
	health := fs.String("health", "", "URL of a bus's HealthHandler, polled every second for each sink's state")
	from := fs.String("from", consume.FromNow, "where to start: now, beginning, or a position (Redis entry ID, NATS sequence)")
	maxExecs := fs.Int("max-executions", dashboard.DefaultMaxExecutions, "executions kept in memory and on the page")
	quiet := fs.Bool("quiet", false, "print no status lines on standard error")
	url, err := parseArgs(fs, args, e)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return usageError(e, fs, err)
	}
	if _, _, err := net.SplitHostPort(*listen); err != nil {
		return usageError(e, fs, fmt.Errorf("--listen %q: want host:port, such as 127.0.0.1:8080", *listen))
	}
	if *health != "" && !strings.HasPrefix(*health, "http://") && !strings.HasPrefix(*health, "https://") {
		return usageError(e, fs, fmt.Errorf("--health %q: want an http:// or https:// URL", *health))
	}
	logf := func(format string, args ...any) {
		if !*quiet {
			fmt.Fprintf(e.stderr, "streamll dashboard: "+format+"\n", args...)
		}
	}

	c, err := consume.Open(ctx, url, consume.Options{From: *from, Batch: 1000, Wait: readWait})
	if err != nil {
		fmt.Fprintf(e.stderr, "streamll dashboard: %v\n", err)
		if errors.Is(err, consume.ErrInvalidConfig) {
			return exitUsage
		}
		return exitError
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		c.Close()
		fmt.Fprintf(e.stderr, "streamll dashboard: %v\n", err)
		return exitError
	}
	srv := dashboard.New(dashboard.Config{Source: c.String(), HealthURL: *health, MaxExecutions: *maxExecs})
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { srv.Run(ctx) })
	serveErr := make(chan error, 1)
	wg.Go(func() { serveErr <- httpSrv.Serve(ln) })
	logf("serving http://%s (reading %s; Ctrl-C to stop)", ln.Addr(), c)

	code := exitOK
	readErr := make(chan error, 1)
	wg.Go(func() { readErr <- read(ctx, c, url, *from, srv, logf) })
	select {
	case <-ctx.Done():
	case err := <-serveErr:
		fmt.Fprintf(e.stderr, "streamll dashboard: serving: %v\n", err)
		code = exitError
	case err := <-readErr:
		if err != nil {
			fmt.Fprintf(e.stderr, "streamll dashboard: %v\n", err)
			code = exitError
		}
	}
	cancel()
	shutdownCtx, done := context.WithTimeout(context.Background(), 2*time.Second)
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		httpSrv.Close()
	}
	done()
	wg.Wait()
	logf("stopped")
	return code
}

// read feeds the dashboard from c until ctx ends. When the source is lost it
// says so on the page and reconnects, going on from where it was where the
// consumer knows it (Redis, NATS; groups and queues keep their own).
func read(ctx context.Context, c *consume.Consumer, url, from string, srv *dashboard.Server, logf func(string, ...any)) error {
	var evs []*events.Event
	backoff := time.Second
	for {
		srv.SourceState("reading", nil)
		err := c.RunBatch(ctx, func(_ context.Context, batch []consume.Message) (int, error) {
			evs = evs[:0]
			for i := range batch {
				evs = append(evs, &batch[i].Event)
			}
			srv.Add(evs)
			srv.Invalid(c.Stats().Invalid)
			backoff = time.Second
			return len(batch), nil
		})
		c.Close()
		if ctx.Err() != nil {
			return nil
		}
		srv.SourceState("lost", err)
		logf("%v; reconnecting in %s", err, backoff)
		if p := c.Position(); p != "" {
			from = p
		}
		for {
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			if c, err = consume.Open(ctx, url, consume.Options{From: from, Batch: 1000, Wait: readWait}); err == nil {
				logf("reading %s again", c)
				break
			}
			srv.SourceState("lost", err)
		}
	}
}
