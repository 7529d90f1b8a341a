//go:build !race

// These tests swap the sink's socket for a faulty one under a live
// connection, which amqp091-go's heartbeater reads without the sink's lock:
// a race of the test's own making, so they stay out of -race runs (the plain
// go test ./... runs them).

package rabbitmqsink

import (
	"context"
	"errors"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/streamll/streamll-go/actors/sinks"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// deleteExchange removes a test's exchange when it ends.
func deleteExchange(t *testing.T, url, name string) {
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_ = ch.ExchangeDelete(name, false, false)
		}
	})
}

// failWrites is a socket whose every write fails.
type failWrites struct{ net.Conn }

func (f failWrites) Write([]byte) (int, error) { return 0, errors.New("broken pipe (simulated)") }

// Without confirms, events still in the corked buffer when the socket fails
// were never written: they must not count as delivered.
func TestNoConfirmsWriteFailureIsNotDelivery(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	deleteExchange(t, url, exchange)
	s, err := New(Config{URL: url, Exchange: exchange, NoConfirms: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx := context.Background()
	if err := s.Write(ctx, sinktest.MakeEvents(1, "warm")); err != nil {
		t.Fatal(err)
	}
	cc := s.ss.tcp.Load()
	cc.mu.Lock()
	cc.Conn = failWrites{cc.Conn}
	cc.mu.Unlock()
	err = s.Write(ctx, sinktest.MakeEvents(10, "lost"))
	if err == nil || sinks.IsPermanent(err) {
		t.Errorf("Write = %v; want a retryable error: the events never reached the socket", err)
	}
}

// slowWrites is a socket to an unresponsive peer.
type slowWrites struct {
	net.Conn
	release, closed, entered chan struct{}
	once, enter              *sync.Once
}

// Write blocks as a write to an unresponsive peer does: until released, or
// until the socket is closed under it. entered is closed once one blocks.
func (f slowWrites) Write(p []byte) (int, error) {
	f.enter.Do(func() { close(f.entered) })
	select {
	case <-f.release:
		return f.Conn.Write(p)
	case <-f.closed:
		return 0, net.ErrClosed
	}
}

func (f slowWrites) Close() error {
	f.once.Do(func() { close(f.closed) })
	return f.Conn.Close()
}

// A heartbeat stuck writing to the socket holds the cork's lock; a Write must
// still return when its context ends.
func TestWriteReturnsWhileAHeartbeatIsStuck(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	deleteExchange(t, url, exchange)
	s, err := New(Config{URL: url, Exchange: exchange})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.Write(context.Background(), sinktest.MakeEvents(1, "warm")); err != nil {
		t.Fatal(err)
	}
	cc := s.ss.tcp.Load()
	rel := make(chan struct{})
	cc.mu.Lock()
	slow := slowWrites{Conn: cc.Conn, release: rel, closed: make(chan struct{}), entered: make(chan struct{}),
		once: new(sync.Once), enter: new(sync.Once)}
	cc.Conn = slow
	cc.mu.Unlock()
	// what the heartbeater would do between Writes, uncorked: it blocks on
	// the socket holding the cork's lock
	go cc.Write([]byte{8, 0, 0, 0, 0, 0, 0, 0xce})
	select {
	case <-slow.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the stuck heartbeat write never started")
	}
	time.AfterFunc(3*time.Second, func() { close(rel) })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Write(ctx, sinktest.MakeEvents(3, "b"))
	// A Write that waited for the heartbeat would take the whole 3s.
	if took := time.Since(start); took > 2*time.Second || err == nil {
		t.Errorf("Write with a 200ms context returned after %v: %v", took, err)
	}
}

func TestNewNeverQuotesAMalformedPassword(t *testing.T) {
	for _, u := range []string{"amqp://user:hunter2/xyz@host/", "amqp://user:hun%zzter2@host/", "amqp://user:hunter2?x@host/"} {
		_, err := New(Config{URL: u})
		if !errors.Is(err, sinks.ErrInvalidConfig) || strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "zzter") {
			t.Errorf("New(%q) = %v", "amqp://user:***@host/", err)
		}
	}
}
