package redissink_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// viaProxy returns REDIS_URL rewritten to pass through a fault proxy.
func viaProxy(t *testing.T, redisURL string) (*faultproxy.Proxy, string) {
	t.Helper()
	u, err := url.Parse(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "6379")
	}
	p := faultproxy.New(t, target)
	u.Host = p.Addr()
	return p, u.String()
}

// checkRetryable fails t unless err is a retryable error for the whole batch.
func checkRetryable(t *testing.T, err error) {
	t.Helper()
	var be *sinks.BatchError
	switch {
	case err == nil:
		t.Fatal("Write succeeded through a broken connection")
	case sinks.IsPermanent(err):
		t.Errorf("Write = %v, marked permanent; want retryable", err)
	case errors.As(err, &be):
		t.Errorf("Write = %v, a BatchError; want an error for the whole batch", err)
	}
}

// writeAsync runs Write on its own goroutine and returns its error, failing t
// if it has not returned within waitTimeout.
func writeAsync(t *testing.T, ctx context.Context, s *redissink.Sink, batch []*events.Event) error {
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

// writeUntilDelivered retries Write, as the host would, until it succeeds or
// waitTimeout passes.
func writeUntilDelivered(t *testing.T, s *redissink.Sink, batch []*events.Event) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		err := s.Write(ctx, batch)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Write still fails %v after Restore: %v", waitTimeout, err)
		}
		<-tick.C
	}
}

func TestCutConnection(t *testing.T) {
	rdb, redisURL := testRedis(t)
	key := streamKey(t, rdb)
	p, proxied := viaProxy(t, redisURL)
	s := newSink(t, redissink.Config{URL: proxied, StreamKey: key})
	before := sinktest.MakeEvents(5, "before")
	if err := write(t, s, before); err != nil {
		t.Fatal(err)
	}

	p.Cut()
	checkRetryable(t, writeAsync(t, t.Context(), s, sinktest.MakeEvents(5, "during")))

	p.Restore()
	after := sinktest.MakeEvents(5, "after")
	writeUntilDelivered(t, s, after)
	got := ids(readEvents(t, rdb, key, len(before)+len(after)))
	if !slices.Equal(got[:len(before)], ids(before)) || !slices.Equal(got[len(got)-len(after):], ids(after)) {
		t.Errorf("stream holds %v, want %v first and %v last", got, ids(before), ids(after))
	}
}

func TestFrozenConnection(t *testing.T) {
	tests := []struct {
		name       string
		timeout    time.Duration // Config.Timeout
		ctxTimeout time.Duration // the host's deadline for the Write
	}{
		{"host deadline", 0, 300 * time.Millisecond},
		{"config timeout shorter than the host's", 300 * time.Millisecond, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, redisURL := testRedis(t)
			key := streamKey(t, rdb)
			p, proxied := viaProxy(t, redisURL)
			s := newSink(t, redissink.Config{URL: proxied, StreamKey: key, Timeout: tt.timeout})
			if err := write(t, s, sinktest.MakeEvents(1, "warm")); err != nil {
				t.Fatal(err)
			}

			p.Freeze()
			ctx, cancel := context.WithTimeout(t.Context(), tt.ctxTimeout)
			defer cancel()
			start := time.Now()
			err := writeAsync(t, ctx, s, sinktest.MakeEvents(5, "frozen"))
			t.Logf("Write through a frozen connection returned after %v: %v", time.Since(start).Round(time.Millisecond), err)
			checkRetryable(t, err)
			if tt.timeout > 0 && ctx.Err() != nil {
				t.Errorf("Write waited for the host's deadline although Timeout is %v", tt.timeout)
			}

			p.Restore()
			writeUntilDelivered(t, s, sinktest.MakeEvents(5, "restored"))
		})
	}
}
