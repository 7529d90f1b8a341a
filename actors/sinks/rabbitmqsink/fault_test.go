package rabbitmqsink_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
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

// writeRetrying writes batch as the host would: retrying what a BatchError
// lists (in order), or everything after a plain error, a bounded number of
// times. It returns what is still undelivered with the last error.
func writeRetrying(s sinks.Sink, batch []*events.Event, failedWrites, retried *int) ([]*events.Event, error) {
	const attempts = 50
	pending := batch
	var err error
	for range attempts {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
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
		*retried += len(pending)
	}
	return pending, err
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
	proxy, url := startProxy(t, brokerURL)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, brokerURL, queueSpec{exchange: exchange})
	logs := newLogWatch()
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, Logger: slog.New(logs)})

	before := sinktest.MakeEvents(5, "before")
	write(t, s, before)

	proxy.inject(blockedFrame("low on disk"))
	logs.await(t, "broker blocked the connection")
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Write(ctx, sinktest.MakeEvents(5, "while-blocked")); !errors.Is(err, rabbitmqsink.ErrBlocked) {
		t.Fatalf("Write while blocked = %v, want ErrBlocked", err)
	}

	proxy.inject(unblockedFrame())
	logs.await(t, "unblocked")
	after := sinktest.MakeEvents(5, "after")
	write(t, s, after)

	// Events written while blocked would have been published before after.
	q.expectEvents(t, append(before, after...))
}

// TestFrozenNetwork: when the broker stops answering, Write gives up at its
// context's deadline and reports the events unconfirmed; after the
// connection drops, the next Write reconnects and delivers.
func TestFrozenNetwork(t *testing.T) {
	brokerURL := servicetest.RabbitMQURL(t)
	proxy, url := startProxy(t, brokerURL)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, brokerURL, queueSpec{exchange: exchange})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange})

	first := sinktest.MakeEvents(5, "first")
	write(t, s, first)

	proxy.freeze()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	stuck := sinktest.MakeEvents(5, "stuck")
	err := s.Write(ctx, stuck)
	if !errors.Is(err, rabbitmqsink.ErrUnconfirmed) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Write on a frozen connection = %v, want ErrUnconfirmed and DeadlineExceeded", err)
	}

	// The first Write after the cut may find the dead socket before the
	// sink hears of it, and fail; the host would retry it.
	proxy.cut()
	proxy.thaw()
	var failedWrites, retried int
	if pending, err := writeRetrying(s, stuck, &failedWrites, &retried); err != nil {
		t.Fatalf("%d events undelivered after the connection dropped: %v", len(pending), err)
	}

	q.expectEvents(t, append(first, stuck...))
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
	var failedWrites, retried int
	if pending, err := writeRetrying(s, second, &failedWrites, &retried); err != nil {
		t.Fatalf("%d events undelivered: %v", len(pending), err)
	}
	t.Logf("%d failed writes before the topology was declared again", failedWrites)
	consumeQueue(t, url, queue).expectEvents(t, second)
}
