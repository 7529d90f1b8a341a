package rabbitmqsink_test

import (
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// withHost returns rawURL with its host replaced.
func withHost(t testing.TB, rawURL, host string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = host
	return u.String()
}

// TestFailover: with a dead node listed first, the sink connects to the
// next; with every node dead, the error names each (redacted) and fails.
func TestFailover(t *testing.T) {
	good := servicetest.RabbitMQURL(t)
	dead := withHost(t, good, "127.0.0.1:1")
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, good, queueSpec{exchange: exchange})

	s := newSink(t, rabbitmqsink.Config{URL: dead, URLs: []string{good}, Exchange: exchange})
	batch := sinktest.MakeEvents(10, "failover")
	write(t, s, batch)
	q.expectEvents(t, batch)

	allDead := withHost(t, "amqp://audit:"+secret+"@localhost/", "127.0.0.1:1")
	s2 := newSink(t, rabbitmqsink.Config{URL: allDead + "," + withHost(t, allDead, "127.0.0.1:2"), DialTimeout: time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := s2.Write(ctx, batch)
	switch {
	case err == nil:
		t.Fatal("Write with every node dead succeeded")
	case strings.Contains(err.Error(), secret):
		t.Errorf("error shows the password: %v", err)
	case !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "127.0.0.1:2"):
		t.Errorf("error %q does not name both nodes", err)
	}
}

// deliver writes batch as the host would until it is delivered, and
// returns how many Writes failed first.
func deliver(t *testing.T, s sinks.Sink, batch []*events.Event) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	failed, err := sinktest.Deliver(ctx, s, batch, sinktest.Retry{WriteTimeout: waitTimeout})
	if err != nil {
		t.Fatal(err)
	}
	return failed
}

// logWatch is a slog handler that lets a test await a log message.
type logWatch struct{ messages chan string }

func newLogWatch() *logWatch { return &logWatch{messages: make(chan string, 64)} }

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatch) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *logWatch) WithGroup(string) slog.Handler            { return w }
func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	select {
	case w.messages <- r.Message:
	default:
	}
	return nil
}

// await waits for a message containing text.
func (w *logWatch) await(t *testing.T, text string) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case m := <-w.messages:
			if strings.Contains(m, text) {
				return
			}
		case <-timeout:
			t.Fatalf("no log message containing %q", text)
		}
	}
}

// TestBlocked: while the broker has the connection blocked (a resource
// alarm), Write returns ErrBlocked at once and publishes nothing; once
// unblocked it publishes again.
func TestBlocked(t *testing.T) {
	brokerURL := servicetest.RabbitMQURL(t)
	proxy, url := framedProxy(t, brokerURL)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, brokerURL, queueSpec{exchange: exchange})
	logs := newLogWatch()
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, Logger: slog.New(logs)})

	before := sinktest.MakeEvents(5, "before")
	write(t, s, before)

	proxy.Inject(blockedFrame("low on disk"))
	logs.await(t, "broker blocked the connection")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Write(ctx, sinktest.MakeEvents(5, "while-blocked")); !errors.Is(err, rabbitmqsink.ErrBlocked) {
		t.Fatalf("Write while blocked = %v, want ErrBlocked", err)
	}

	proxy.Inject(unblockedFrame())
	logs.await(t, "unblocked")
	after := sinktest.MakeEvents(5, "after")
	write(t, s, after)

	// Events written while blocked would have been published before after.
	q.expectEvents(t, append(before, after...))
}

// TestFrozenNetworkError: the conformance suite's Faults cases prove the
// outage behaviour; here, what a Write the frozen network outlasts says:
// the events are unconfirmed (they may have reached the broker, so their
// retry may duplicate them), because its deadline passed.
func TestFrozenNetworkError(t *testing.T) {
	brokerURL := servicetest.RabbitMQURL(t)
	proxy, url := faultproxy.ToURL(t, brokerURL, "5672")
	exchange := servicetest.Name(t, "x")
	bindQueue(t, brokerURL, queueSpec{exchange: exchange, noConsume: true})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange})
	write(t, s, sinktest.MakeEvents(1, "warm"))

	proxy.Freeze()
	defer proxy.Cut() // or the sink's Close would wait on the frozen connection
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err := s.Write(ctx, sinktest.MakeEvents(5, "stuck"))
	if !errors.Is(err, rabbitmqsink.ErrUnconfirmed) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Write on a frozen connection = %v, want ErrUnconfirmed and DeadlineExceeded", err)
	}
}

// TestNoConfirms: without confirms, events are delivered as published.
func TestNoConfirms(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, url, queueSpec{exchange: exchange})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, NoConfirms: true})
	batch := sinktest.MakeEvents(50, "noconfirms")
	write(t, s, batch)
	q.expectEvents(t, batch)
}

// TestTooLarge: an event over MaxMessageBytes is dropped as permanent; the
// rest of its batch is delivered.
func TestTooLarge(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, url, queueSpec{exchange: exchange})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, MaxMessageBytes: 4096})
	batch := sinktest.MakeEvents(3, "large")
	batch[1].Data = map[string]any{"blob": strings.Repeat("x", 5000)}

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var be *sinks.BatchError
	if err := s.Write(ctx, batch); !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Index != 1 || !sinks.IsPermanent(be.Failed[0].Err) {
		t.Fatalf("Write = %v, want a BatchError with event 1 failed permanently", err)
	}
	got := decode(t, q.waitFor(t, 2))
	if got[0].EventID != batch[0].EventID || got[1].EventID != batch[2].EventID {
		t.Errorf("received %s, %s; want %s, %s", got[0].EventID, got[1].EventID, batch[0].EventID, batch[2].EventID)
	}
}

// TestRedeclaresAfterLoss: when the exchange and queue vanish (publishing to
// a missing exchange closes the channel), the next Write reconnects and
// declares them again, so retried events reach the queue.
func TestRedeclaresAfterLoss(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange, queue := servicetest.Name(t, "x"), servicetest.Name(t, "q")
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, Queue: &rabbitmqsink.QueueConfig{Name: queue}})
	deleteExchange(t, url, exchange)
	first := sinktest.MakeEvents(3, "first")
	write(t, s, first)

	_, ch := adminChannel(t, url)
	if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
		t.Fatal(err)
	}
	if err := ch.ExchangeDelete(exchange, false, false); err != nil {
		t.Fatal(err)
	}

	second := sinktest.MakeEvents(3, "second")
	t.Logf("%d failed writes before the topology was declared again", deliver(t, s, second))
	consumeQueue(t, url, queue).expectEvents(t, second)
}

// framedProxy starts a fault proxy to the broker of brokerURL that forwards
// the broker's frames whole, so that a frame injected lands between two of
// them, and returns it with the URL that reaches the broker through it.
func framedProxy(t *testing.T, brokerURL string) (*faultproxy.Proxy, string) {
	t.Helper()
	u, err := url.Parse(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5672")
	}
	p := faultproxy.NewFramed(t, target, amqpFrames)
	u.Host = p.Addr()
	return p, u.String()
}

// amqpFrames returns how many bytes at the start of b are whole AMQP frames
// (type, channel, size, payload, end marker), as the broker sends them.
func amqpFrames(b []byte) int {
	n := 0
	for len(b)-n >= 7 {
		size := 7 + int(binary.BigEndian.Uint32(b[n+3:])) + 1
		if len(b)-n < size {
			break
		}
		n += size
	}
	return n
}

// connectionFrame is an AMQP method frame on channel 0 of the connection
// class (10): connection.blocked is method 60 with a reason, unblocked 61.
func connectionFrame(method uint16, args []byte) []byte {
	f := []byte{1, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0}
	binary.BigEndian.PutUint32(f[3:], uint32(4+len(args)))
	binary.BigEndian.PutUint16(f[9:], method)
	f = append(f, args...)
	return append(f, 0xCE)
}

func blockedFrame(reason string) []byte {
	return connectionFrame(60, append([]byte{byte(len(reason))}, reason...))
}

func unblockedFrame() []byte { return connectionFrame(61, nil) }
