package natssink_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

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

// deliver writes batch as the host would until it is delivered, and returns
// how many Writes failed first.
func deliver(s sinks.Sink, batch []*events.Event) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	return sinktest.Deliver(ctx, s, batch, sinktest.Retry{})
}

// TestFrozenConnection: the conformance suite's Faults cases prove the
// outage behaviour every driver shares; here, what NATS adds. When the
// server stops answering, Write gives up at its context's deadline with
// ErrNotAcked; the next Write finds the connection dead, says so and makes
// the client reconnect; once the network is back every event is stored
// once (the stream drops the copies by their Nats-Msg-Id), in order.
func TestFrozenConnection(t *testing.T) {
	js, natsURL := testJS(t)
	ts := newStream(t, js, nil)
	p, proxied := faultproxy.ToURL(t, natsURL, "4222")
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
	if _, err := deliver(s, stuck); err != nil {
		t.Fatalf("after Restore: %v", err)
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
	p, proxied := faultproxy.ToURL(t, natsURL, "4222")
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
			failed, err := deliver(s, batch)
			r.failed += failed
			if err != nil {
				r.err = fmt.Errorf("batch %d: %w", b, err)
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
