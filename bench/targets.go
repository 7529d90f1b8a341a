package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// target is one sink of a run with what it needs around it: its consumer,
// its fault proxy, and the server objects to delete at the end.
type target struct {
	kind     string
	name     string // stream key or exchange (and queue) of this run
	keep     bool   // -keep named it: left in place after the run
	sink     sinks.Sink
	mem      *memory.Sink
	lines    *lineCounter
	consumer *consumer
	proxy    *faultproxy.Proxy
	// endOutput, for a terminal writing to a pipe, closes the pipe and waits
	// until its reader has counted every line.
	endOutput func() error
	undo      []func(context.Context) error // run in reverse by teardown
}

// runSuffix returns a short random suffix that makes a run's names unique.
func runSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// hostOptions are the host options every sink of a run gets.
func hostOptions(cfg config) sinks.Options {
	return sinks.Options{
		BatchSize:    cfg.Batch,
		BufferSize:   cfg.Buffer,
		Breaker:      supervisor.BreakerPolicy{RecoveryTimeout: cfg.BreakerWait},
		WriteTimeout: cfg.WriteTimeout,
	}
}

// newTargets builds one target per kind, named prefix_<suffix>_<i>. The
// target at index faulty (if any) writes through a fault proxy. On error,
// whatever was built is torn down.
func newTargets(ctx context.Context, cfg config, kinds []string, faulty int) (ts []*target, err error) {
	suffix := runSuffix()
	defer func() {
		if err != nil {
			teardown(context.WithoutCancel(ctx), ts)
			ts = nil
		}
	}()
	for i, kind := range kinds {
		t := &target{kind: kind, name: fmt.Sprintf("%s_%s_%d", cfg.Prefix, suffix, i)}
		if i == 0 && cfg.Keep != "" {
			t.name, t.keep = cfg.Keep, true
		}
		ts = append(ts, t)
		if err := t.build(ctx, cfg, i == faulty); err != nil {
			return ts, fmt.Errorf("%s sink: %w", kind, err)
		}
	}
	return ts, nil
}

func (t *target) build(ctx context.Context, cfg config, faulty bool) error {
	opts := hostOptions(cfg)
	if cfg.SpoolSync != "" {
		dir, err := os.MkdirTemp("", "streamll-bench-spool-")
		if err != nil {
			return err
		}
		t.undo = append(t.undo, func(context.Context) error { return os.RemoveAll(dir) })
		opts.Spool = sinks.Spool{Dir: dir, Sync: map[string]sinks.SpoolSync{
			"periodic": sinks.SpoolSyncPeriodic, "every_batch": sinks.SpoolSyncEveryBatch, "never": sinks.SpoolSyncNever}[cfg.SpoolSync]}
	}
	live := cfg.Consumer == consumeLive
	switch t.kind {
	case kindMemory:
		m, err := memory.New(memory.Config{Options: opts, Discard: true})
		t.mem, t.sink = m, m
		return err
	case kindTerminal:
		out, err := t.terminalOutput(cfg)
		if err != nil {
			return err
		}
		s, err := terminal.New(terminal.Config{Options: opts, Output: out, Color: terminal.ColorNever})
		t.sink = s
		return err
	case kindRedis:
		sinkURL, err := t.proxied(cfg.RedisURL, "6379", faulty)
		if err != nil {
			return err
		}
		if !t.keep {
			t.undo = append(t.undo, func(ctx context.Context) error { return deleteRedisKeys(ctx, cfg.RedisURL, t.name) })
		}
		if cfg.Consumer != consumeOff {
			r, err := newRedisReader(ctx, cfg.RedisURL, t.name, redissink.DefaultField)
			if err != nil {
				return err
			}
			t.undo = append(t.undo, func(context.Context) error { return r.close() })
			t.consumer = newConsumer(r, live)
		}
		s, err := redissink.New(redissink.Config{Options: opts, URL: sinkURL, StreamKey: t.name})
		t.sink = s
		return err
	case kindRabbitMQ:
		sinkURL, err := t.proxied(cfg.RabbitURL, "5672", faulty)
		if err != nil {
			return err
		}
		if !t.keep {
			t.undo = append(t.undo, func(context.Context) error { return deleteAMQP(cfg.RabbitURL, t.name, t.name) })
		}
		if cfg.Consumer != consumeOff {
			r, err := newAMQPReader(cfg.RabbitURL, t.name, t.name)
			if err != nil {
				return err
			}
			t.undo = append(t.undo, func(context.Context) error { return r.close() })
			t.consumer = newConsumer(r, live)
		} else if err := declareOnly(cfg.RabbitURL, t.name); err != nil {
			return err
		}
		s, err := rabbitmqsink.New(rabbitmqsink.Config{Options: opts, URL: sinkURL, Exchange: t.name, ConfirmWindow: cfg.Confirm})
		t.sink = s
		return err
	case kindNATS:
		sinkURL, err := t.proxied(cfg.NATSURL, "4222", faulty)
		if err != nil {
			return err
		}
		if err := createNATSStream(ctx, cfg.NATSURL, t.name); err != nil {
			return err
		}
		t.undo = append(t.undo, func(ctx context.Context) error { return deleteNATSStream(ctx, cfg.NATSURL, t.name) })
		if cfg.Consumer != consumeOff {
			r, err := newNATSReader(ctx, cfg.NATSURL, t.name)
			if err != nil {
				return err
			}
			t.undo = append(t.undo, func(context.Context) error { return r.close() })
			t.consumer = newConsumer(r, live)
		}
		s, err := natssink.New(natssink.Config{Options: opts, URL: sinkURL, Stream: t.name, Subject: natsSubject(t.name), Window: cfg.Confirm})
		t.sink = s
		return err
	}
	return fmt.Errorf("unknown sink kind %q", t.kind)
}

// declareOnly declares the exchange and queue without consuming, so that a
// run without a consumer still publishes into a durable queue.
func declareOnly(rawURL, name string) error {
	conn, ch, err := dialAMQP(rawURL)
	if err != nil {
		return err
	}
	defer conn.Close()
	return declareAMQP(ch, name, name)
}

// proxied returns rawURL, or, for the faulty target, rawURL pointed at a new
// fault proxy in front of its server.
func (t *target) proxied(rawURL, defPort string, faulty bool) (string, error) {
	if !faulty {
		return rawURL, nil
	}
	if strings.Contains(rawURL, ",") {
		return "", errors.New("fault scenarios need a single server URL, not a list")
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("invalid URL %s", redactURL(rawURL))
	}
	port := u.Port()
	if port == "" {
		port = defPort
	}
	p, err := faultproxy.Start(net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return "", err
	}
	t.proxy = p
	t.undo = append(t.undo, func(context.Context) error { p.Close(); return nil })
	u.Host = p.Addr()
	return u.String(), nil
}

// terminalOutput opens /dev/null, or a pipe whose far end a goroutine reads
// and counts lines from.
func (t *target) terminalOutput(cfg config) (io.Writer, error) {
	if cfg.TerminalOut == "null" {
		f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		t.undo = append(t.undo, func(context.Context) error { return f.Close() })
		return f, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	lc := &lineCounter{done: make(chan struct{})}
	go lc.read(r)
	t.lines = lc
	var once sync.Once
	t.endOutput = func() (err error) {
		once.Do(func() {
			err = w.Close()
			<-lc.done
		})
		return err
	}
	t.undo = append(t.undo, func(context.Context) error { return errors.Join(t.endOutput(), r.Close()) })
	return w, nil
}

// lineCounter reads a pipe to its end, counting lines.
type lineCounter struct {
	n    atomic.Uint64
	done chan struct{}
}

func (lc *lineCounter) read(r io.Reader) {
	defer close(lc.done)
	buf := make([]byte, 256<<10)
	for {
		n, err := r.Read(buf)
		var lines uint64
		for _, c := range buf[:n] {
			if c == '\n' {
				lines++
			}
		}
		lc.n.Add(lines)
		if err != nil {
			return
		}
	}
}

// teardown deletes every target's server objects and stops its helpers,
// with a fresh deadline so that it also runs after Ctrl-C.
func teardown(ctx context.Context, ts []*target) error {
	var errs []error
	for _, t := range ts {
		for i := len(t.undo) - 1; i >= 0; i-- {
			if err := t.undo[i](ctx); err != nil {
				errs = append(errs, fmt.Errorf("cleanup of %s: %w", t.name, err))
			}
		}
		t.undo = nil
	}
	return errors.Join(errs...)
}
