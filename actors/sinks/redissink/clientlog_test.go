package redissink_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9/logging"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
)

// syncBuffer is a bytes.Buffer that go-redis's goroutines and the test may
// share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSetClientLogger: go-redis's "failed to dial" line goes to the logger
// given, and nowhere with nil.
func TestSetClientLogger(t *testing.T) {
	t.Cleanup(logging.Enable) // go-redis's default again for the other tests
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	var buf syncBuffer
	redissink.SetClientLogger(slog.New(slog.NewTextHandler(&buf, nil)))
	s := newSink(t, redissink.Config{URL: "redis://" + closed})
	if err := s.Write(context.Background(), sinktest.MakeEvents(1, "down")); err == nil {
		t.Fatal("Write to a closed port succeeded")
	}
	got := buf.String() // the dial is logged before Write returns
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "failed to dial") ||
		!strings.Contains(got, "component=go-redis") {
		t.Errorf("logged %q, want go-redis's dial failure at WARN with component=go-redis", got)
	}

	redissink.SetClientLogger(nil)
	if err := s.Write(context.Background(), sinktest.MakeEvents(1, "down")); err == nil {
		t.Fatal("Write to a closed port succeeded")
	}
	if after := buf.String(); after != got {
		t.Errorf("logged %q after SetClientLogger(nil)", strings.TrimPrefix(after, got))
	}
}
