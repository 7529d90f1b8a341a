package redissink_test

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestRediss writes to a redis-server of the test's own that serves TLS
// only, with a certificate a CA of the test's own signed: Config.TLS
// trusts that CA, the system's roots do not, and ?skip_verify=true skips
// the check.
func TestRediss(t *testing.T) {
	srv := servicetest.StartRedisTLSServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, TLSConfig: srv.TLS.ClientConfig()})
	t.Cleanup(func() { rdb.Close() })

	t.Run("private CA", func(t *testing.T) {
		key := servicetest.Name(t, "redissink")
		s := newSink(t, redissink.Config{URL: srv.URL(), TLS: srv.TLS.ClientConfig(), StreamKey: key})
		batch := sinktest.MakeEvents(50, "tls")
		if err := write(t, s, batch); err != nil {
			t.Fatalf("Write over TLS: %v", err)
		}
		if got := ids(readEvents(t, rdb, key, len(batch))); !slices.Equal(got, ids(batch)) {
			t.Fatalf("read back %d events %v, want %v", len(got), got, ids(batch))
		}
	})
	t.Run("system roots", func(t *testing.T) {
		s := newSink(t, redissink.Config{URL: srv.URL(), StreamKey: servicetest.Name(t, "redissink")})
		err := write(t, s, sinktest.MakeEvents(3, "tls"))
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("Write to a server whose CA the system does not trust: %v, want a certificate error", err)
		}
		t.Logf("Write with the system's roots: %v", err)
	})
	t.Run("skip_verify", func(t *testing.T) {
		key := servicetest.Name(t, "redissink")
		s := newSink(t, redissink.Config{URL: srv.URL() + "?skip_verify=true", StreamKey: key})
		batch := sinktest.MakeEvents(5, "tls")
		if err := write(t, s, batch); err != nil {
			t.Fatalf("Write with skip_verify: %v", err)
		}
		if got := readEvents(t, rdb, key, len(batch)); len(got) != len(batch) {
			t.Fatalf("read back %d events, want %d", len(got), len(batch))
		}
	})
}

// TestRedissHandshakeEndsWithDialTimeout: a server that accepts the
// connection and never answers the TLS handshake holds a Write no longer
// than the URL's dial_timeout (go-redis bounds each dial with it), not
// until the Write's own, far later deadline.
func TestRedissHandshakeEndsWithDialTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held <- c // accepted, never answered
		}
	}()
	defer func() {
		for len(held) > 0 {
			(<-held).Close()
		}
	}()
	s := newSink(t, redissink.Config{URL: "rediss://" + ln.Addr().String() + "?dial_timeout=200ms&skip_verify=true", StreamKey: "never"})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	err = s.Write(ctx, sinktest.MakeEvents(1, "tls"))
	if err == nil {
		t.Fatal("Write to a server that never answers the handshake succeeded")
	}
	if ctx.Err() != nil {
		t.Fatalf("the handshake held the Write until its own deadline (%v): %v", time.Since(start), err)
	}
	t.Logf("Write gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
}
