package faulttests

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// testRabbit is the real broker with an exchange and queue of the test's own,
// and a consumer collecting what the queue receives.
type testRabbit struct {
	url, exchange, queue, connName string

	mu  sync.Mutex
	got []events.Event
}

func newRabbit(t *testing.T) *testRabbit {
	t.Helper()
	r := &testRabbit{url: servicetest.RabbitMQURL(t), exchange: servicetest.Name(t, "x"),
		queue: servicetest.Name(t, "q"), connName: servicetest.Name(t, "conn")}
	t.Cleanup(func() {
		conn, err := amqp.Dial(r.url)
		if err != nil {
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_, _ = ch.QueueDelete(r.queue, false, false, false)
			_ = ch.ExchangeDelete(r.exchange, false, false)
		}
	})
	return r
}

// sink returns a durable, confirming sink that declares the test's queue.
func (r *testRabbit) sink(t *testing.T, opts sinks.Options) sinks.Sink {
	t.Helper()
	s, err := rabbitmqsink.New(rabbitmqsink.Config{Options: opts, URL: r.url, Exchange: r.exchange,
		RoutingKey: "audit.{event_type}", ConnectionName: r.connName,
		Queue: &rabbitmqsink.QueueConfig{Name: r.queue, BindingKey: "audit.#"}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// consume collects the queue's messages until ctx ends.
func (r *testRabbit) consume(t *testing.T, ctx context.Context) (wait func()) {
	t.Helper()
	conn, err := amqp.Dial(r.url)
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	// Declare what the sink declares, so either may start first.
	if err := ch.ExchangeDeclare(r.exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ch.QueueDeclare(r.queue, true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(r.queue, "audit.#", r.exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	// Manual acks: a message the broker sent but this consumer never stored
	// (its connection died with the broker) is redelivered to the next one.
	if err := ch.Qos(1000, 0, false); err != nil {
		t.Fatal(err)
	}
	deliveries, err := ch.Consume(r.queue, "", false, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer conn.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case d, ok := <-deliveries:
				if !ok {
					return
				}
				if ev, err := events.Unmarshal(d.Body); err == nil {
					r.mu.Lock()
					r.got = append(r.got, ev)
					r.mu.Unlock()
				}
				_ = d.Ack(false)
			}
		}
	}()
	return func() { <-done }
}

func (r *testRabbit) received() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Event(nil), r.got...)
}

// TestRabbitMQConnectionClosedByBroker closes the sink's connection from the
// broker side in the middle of a stream, again and again until a close has
// landed while a Write was publishing or waiting for confirms (a close between
// two Writes is healed by re-dialling before the next): with publisher
// confirms every event arrives; duplicates are possible and counted.
func TestRabbitMQConnectionClosedByBroker(t *testing.T) {
	r := newRabbit(t)
	b := newBus(t, r.sink(t, sinks.Options{Name: "rabbitmq", BufferSize: 100_000,
		Retry:   supervisor.Retry{InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond},
		Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 300 * time.Millisecond}}))
	ctx, cancel := context.WithCancel(context.Background())
	wait := r.consume(t, ctx)
	defer func() { cancel(); wait() }()

	// Emit near the broker's ceiling, so the sink is busy most of the time,
	// and close its connection every 4000 events, at most 20 times.
	const perClose, maxCloses = 4000, 20
	results := make(chan error, maxCloses)
	closes, total := 0, 0
	for closes < 2 || health(b, "rabbitmq").FailedAttempts == 0 {
		if closes == maxCloses {
			t.Fatalf("none of %d broker-side closes landed during a Write", closes)
		}
		emitRange(t, b, 15000, total, total+perClose, func(i int) {
			if i == total+perClose/2 {
				closes++
				go func() { // no t.Fatal in here
					n, err := servicetest.CloseConnections(r.connName, "streamll-go fault test")
					if err == nil && n > 1 {
						// 0 is fine: the last close may not be re-dialled yet.
						err = fmt.Errorf("closed %d connections of the sink, want at most 1", n)
					}
					results <- err
				}()
			}
		})
		total += perClose
	}
	for range closes {
		if err := <-results; err != nil {
			t.Error(err)
		}
	}
	if err := closeBus(t, b, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if h := health(b, "rabbitmq"); h.Delivered != uint64(total) || h.DroppedTotal() != 0 {
		t.Errorf("health = %+v", h)
	}
	waitFor(t, "the consumer to receive everything", func() bool { return distinct(r.received()) >= total })
	t.Logf("%d broker-side closes", closes)
	checkStream(t, total, r.received())
}

// distinct counts events by id.
func distinct(evs []events.Event) int {
	seen := map[string]bool{}
	for _, ev := range evs {
		seen[ev.EventID] = true
	}
	return len(seen)
}
