package natssink_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// viaProxy returns the NATS URL rewritten to pass through a fault proxy.
func viaProxy(t *testing.T, natsURL string) (*faultproxy.Proxy, string) {
	t.Helper()
	u, err := url.Parse(natsURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "4222")
	}
	p := faultproxy.New(t, target)
	u.Host = p.Addr()
	return p, u.String()
}

// checkRetryable fails t unless err is a retryable error.
func checkRetryable(t *testing.T, err error) {
	t.Helper()
	var be *sinks.BatchError
	switch {
	case err == nil:
		t.Fatal("Write succeeded through a broken connection")
	case sinks.IsPermanent(err):
		t.Errorf("Write = %v, marked permanent; want retryable", err)
	case errors.As(err, &be):
		for _, f := range be.Failed {
			if sinks.IsPermanent(f.Err) {
				t.Errorf("event %d failed permanently: %v", f.Index, f.Err)
			}
		}
	}
}

// writeAsync runs Write on its own goroutine and returns its error, failing
// t if it has not returned within waitTimeout.
func writeAsync(t *testing.T, ctx context.Context, s sinks.Sink, batch []*events.Event) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- s.Write(ctx, batch) }()
	select {
	case err := <-done:
		return err
	case <-time.After(waitTimeout):
		t.Fatalf("Write did not return within %v", waitTimeout)
		return nil
	}
}

// writeRetrying writes batch as the host would: retrying what a BatchError
// lists (in order), or everything after a plain error, a bounded number of
// times with a short pause. It returns what is still undelivered with the
// last error, and counts failed Writes.
func writeRetrying(s sinks.Sink, batch []*events.Event, failedWrites *int) ([]*events.Event, error) {
	const attempts = 100
	pending := batch
	var err error
	for range attempts {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = s.Write(ctx, pending)
		cancel()
		if err == nil {
			return nil, nil
		}
		*failedWrites++
		if sinks.IsPermanent(err) {
			return pending, err
		}
		var be *sinks.BatchError
		if errors.As(err, &be) {
			next := make([]*events.Event, 0, len(be.Failed))
			for _, f := range be.Failed {
				if sinks.IsPermanent(f.Err) {
					return pending, f.Err
				}
				next = append(next, pending[f.Index])
			}
			pending = next
		}
		time.Sleep(20 * time.Millisecond) // the host's retry backoff
	}
	return pending, err
}

func TestCutConnection(t *testing.T) {
	js, natsURL := testJS(t)
	ts := newStream(t, js, nil)
	p, proxied := viaProxy(t, natsURL)
	s := newSink(t, ts.config(proxied))
	before := sinktest.MakeEvents(5, "before")
	if err := write(t, s, before); err != nil {
		t.Fatal(err)
	}

	p.Cut()
	during := sinktest.MakeEvents(5, "during")
	checkRetryable(t, writeAsync(t, t.Context(), s, during))

	p.Restore()
	failed := 0
	if pending, err := writeRetrying(s, during, &failed); err != nil {
		t.Fatalf("%d events undelivered after Restore: %v", len(pending), err)
	}
	after := sinktest.MakeEvents(5, "after")
	if err := write(t, s, after); err != nil {
		t.Fatal(err)
	}
	want := slices.Concat(ids(before), ids(during), ids(after))
	if got := ids(ts.readEvents(t, len(want))); !slices.Equal(got, want) {
		t.Errorf("stream holds %v, want %v", got, want)
	}
	if s.Reconnects() == 0 {
		t.Error("Reconnects() = 0 after a cut")
	}
}

// TestFrozenConnection: when the server stops answering, Write gives up at
// its context's deadline with ErrNotAcked; the next Write finds the
// connection dead, says so and makes the client reconnect; once the network
// is back every event is stored once, in order.
func TestFrozenConnection(t *testing.T) {
	js, natsURL := testJS(t)
	ts := newStream(t, js, nil)
	p, proxied := viaProxy(t, natsURL)
	s := newSink(t, ts.config(proxied))
	first := sinktest.MakeEvents(5, "first")
	if err := write(t, s, first); err != nil {
		t.Fatal(err)
	}

	p.Freeze()
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	stuck := sinktest.MakeEvents(5, "stuck")
	start := time.Now()
	err := writeAsync(t, ctx, s, stuck)
	t.Logf("Write through a frozen connection returned after %v: %v", time.Since(start).Round(time.Millisecond), err)
	if !errors.Is(err, natssink.ErrNotAcked) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Write on a frozen connection = %v, want ErrNotAcked and DeadlineExceeded", err)
	}
	err = writeAsync(t, t.Context(), s, stuck)
	if !errors.Is(err, natssink.ErrConnectionLost) {
		t.Fatalf("the Write after = %v, want ErrConnectionLost", err)
	}

	p.Restore()
	failed := 0
	if pending, err := writeRetrying(s, stuck, &failed); err != nil {
		t.Fatalf("%d events undelivered after Restore: %v", len(pending), err)
	}
	want := slices.Concat(ids(first), ids(stuck))
	if got := ids(ts.readEvents(t, len(want))); !slices.Equal(got, want) {
		t.Errorf("stream holds %v, want %v", got, want)
	}
}

// TestCutsMidStream cuts the connection three times while batches stream
// through the sink, retried as the host retries them. Every event must be
// stored exactly once (retries of stored events are dropped by their
// Nats-Msg-Id) and in the order written.
func TestCutsMidStream(t *testing.T) {
	js, natsURL := testJS(t)
	ts := newStream(t, js, nil)
	p, proxied := viaProxy(t, natsURL)
	cfg := ts.config(proxied)
	cfg.ReconnectWait = 20 * time.Millisecond
	s := newSink(t, cfg)

	const size, batches, cuts = 50, 120, 3
	progress := make(chan int, batches)
	type report struct {
		written []string
		failed  int
		err     error
	}
	done := make(chan report, 1)
	go func() {
		var r report
		defer func() { close(progress); done <- r }()
		for b := range batches {
			batch := sinktest.MakeEvents(size, fmt.Sprintf("b%03d", b))
			r.written = append(r.written, ids(batch)...)
			if pending, err := writeRetrying(s, batch, &r.failed); err != nil {
				r.err = fmt.Errorf("batch %d: %d events undelivered: %w", b, len(pending), err)
				return
			}
			progress <- b
		}
	}()
	// Cut after every 30 batches delivered, then let the stream go on.
	cut := 0
	for b := range progress {
		if cut < cuts && b == 30*(cut+1) {
			p.Cut()
			p.Restore() // the cut closed every connection; new ones may come
			cut++
		}
	}
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := ids(ts.readEvents(t, len(r.written)))
	if !slices.Equal(got, r.written) {
		t.Errorf("stream holds %d events, want the %d written, in order", len(got), len(r.written))
	}
	t.Logf("%d events, %d cuts: %d failed writes, %d reconnects", len(r.written), cut, r.failed, s.Reconnects())
	if s.Reconnects() < cuts {
		t.Errorf("Reconnects() = %d after %d cuts", s.Reconnects(), cuts)
	}
}
