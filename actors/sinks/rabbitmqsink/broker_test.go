package rabbitmqsink_test

import (
	"context"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// waitTimeout bounds every wait of these tests.
const waitTimeout = 20 * time.Second

// testQueue is a queue a test declared, bound and consumes, standing in for
// the seed's audit consumer. It is deleted, with its exchange, when the test
// ends.
type testQueue struct {
	name       string
	conn       *amqp.Connection
	deliveries <-chan amqp.Delivery

	mu  sync.Mutex
	got []amqp.Delivery
}

// queueSpec says what bindQueue declares.
type queueSpec struct {
	exchange   string // declared durable, of kind (default topic); "" binds nothing
	kind       string
	bindingKey string     // default "#"
	args       amqp.Table // queue arguments
	noConsume  bool       // declare and bind only
}

// bindQueue declares spec's exchange and a durable queue bound to it, starts
// consuming, and deletes both when t ends.
func bindQueue(t testing.TB, url string, spec queueSpec) *testQueue {
	t.Helper()
	conn, ch := adminChannel(t, url)
	q := &testQueue{name: servicetest.Name(t, "q"), conn: conn}
	cleanupOn(t, url, func(ch *amqp.Channel) {
		_, _ = ch.QueueDelete(q.name, false, false, false)
		if spec.exchange != "" {
			_ = ch.ExchangeDelete(spec.exchange, false, false)
		}
	})
	if spec.kind == "" {
		spec.kind = "topic"
	}
	if spec.bindingKey == "" {
		spec.bindingKey = "#"
	}
	if _, err := ch.QueueDeclare(q.name, true, false, false, false, spec.args); err != nil {
		t.Fatalf("declare queue: %v", err)
	}
	if spec.exchange != "" {
		if err := ch.ExchangeDeclare(spec.exchange, spec.kind, true, false, false, false, nil); err != nil {
			t.Fatalf("declare exchange: %v", err)
		}
		if err := ch.QueueBind(q.name, spec.bindingKey, spec.exchange, false, nil); err != nil {
			t.Fatalf("bind queue: %v", err)
		}
	}
	if spec.noConsume {
		return q
	}
	var err error
	q.deliveries, err = ch.Consume(q.name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	return q
}

// wait returns every message received so far once there are at least n, or
// when ctx ends.
func (q *testQueue) wait(ctx context.Context, n int) []amqp.Delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.got) < n {
		select {
		case d, ok := <-q.deliveries:
			if !ok {
				return q.got
			}
			q.got = append(q.got, d)
		case <-ctx.Done():
			return q.got
		}
	}
	return q.got
}

// waitFor is wait with its own timeout.
func (q *testQueue) waitFor(t testing.TB, n int) []amqp.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	got := q.wait(ctx, n)
	if len(got) < n {
		t.Fatalf("queue received %d messages, want %d", len(got), n)
	}
	return got
}

// expectEvents waits until q holds len(want) messages and checks that they
// are want's events, in order.
func (q *testQueue) expectEvents(t testing.TB, want []*events.Event) {
	t.Helper()
	got := decode(t, q.waitFor(t, len(want)))
	for i := range want {
		if got[i].EventID != want[i].EventID {
			t.Fatalf("message %d is event %s (%s), want %s (%s)", i, got[i].EventID, got[i].Operation, want[i].EventID, want[i].Operation)
		}
	}
}

// decode returns the events in the bodies of ds.
func decode(t testing.TB, ds []amqp.Delivery) []events.Event {
	t.Helper()
	evs := make([]events.Event, len(ds))
	for i, d := range ds {
		ev, err := events.Unmarshal(d.Body)
		if err != nil {
			t.Fatalf("message %d is not a wire-format event: %v\n%s", i, err, d.Body)
		}
		evs[i] = ev
	}
	return evs
}

// adminChannel opens a channel of a connection of the test's own, closed
// when t ends.
func adminChannel(t testing.TB, url string) (*amqp.Connection, *amqp.Channel) {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatalf("dial the broker: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("open a channel: %v", err)
	}
	return conn, ch
}

// cleanupOn registers a cleanup that runs f on a connection of its own, so
// that it works even if the test's connections were closed (a test may
// close them, and other packages' fault tests restart the broker).
func cleanupOn(t testing.TB, url string, f func(ch *amqp.Channel)) {
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			t.Logf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			f(ch)
		}
	})
}

// deleteExchange deletes an exchange a sink declared when t ends.
func deleteExchange(t testing.TB, url, name string) {
	t.Helper()
	cleanupOn(t, url, func(ch *amqp.Channel) { _ = ch.ExchangeDelete(name, false, false) })
}

// newSink makes a sink and closes it when t ends.
func newSink(t testing.TB, cfg rabbitmqsink.Config) *rabbitmqsink.Sink {
	t.Helper()
	s, err := rabbitmqsink.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s
}

// write writes batch and fails t unless it was delivered whole.
func write(t testing.TB, s sinks.Sink, batch []*events.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := s.Write(ctx, batch); err != nil {
		t.Fatalf("Write of %d events: %v", len(batch), err)
	}
}
