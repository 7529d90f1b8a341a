//go:build faults

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
//
// One close is in flight at a time (each runs rabbitmqctl, an Erlang VM, twice),
// and the stream is paced by the sink's backlog rather than by a rate the
// broker may not sustain on a loaded machine: the sink always has a batch in
// hand, and its buffer never overflows.
func TestRabbitMQConnectionClosedByBroker(t *testing.T) {
	servicetest.RequireRabbitmqctl(t)
	r := newRabbit(t)
	const buffer = 100_000
	b := newBus(t, r.sink(t, sinks.Options{Name: "rabbitmq", BufferSize: buffer,
		Retry:   supervisor.Retry{InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond},
		Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 300 * time.Millisecond}}))
	ctx, cancel := context.WithCancel(context.Background())
	wait := r.consume(t, ctx)
	defer func() { cancel(); wait() }()

	// The closer closes the sink's connection until a close has failed a
	// Write, at most maxCloses times (no t.Fatal in here).
	const maxCloses = 20
	type outcome struct {
		closes int
		err    error
	}
	closer := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() { closer <- o }()
		for tries := 0; tries < 2*maxCloses && o.closes < maxCloses; tries++ {
			if o.closes >= 2 && health(b, "rabbitmq").FailedAttempts > 0 {
				return
			}
			n, err := servicetest.CloseConnections(r.connName, "streamll-go fault test")
			switch {
			case err != nil:
				o.err = err
				return
			case n > 1:
				o.err = fmt.Errorf("closed %d connections of the sink, want at most 1", n)
				return
			}
			o.closes += n // 0: the last close is not re-dialled yet
		}
	}()

	// Emit while the closer works, keeping the sink's backlog between one and
	// a few batches; bounded by maxEvents whatever happens.
	const backlog, maxEvents = 5000, 2_000_000
	total := 0
	var o outcome
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
emit:
	for total < maxEvents {
		select {
		case o = <-closer:
			break emit
		case <-tick.C:
		}
		if health(b, "rabbitmq").Buffered < backlog {
			emitRange(t, b, 1_000_000, total, total+100, func(int) {})
			total += 100
		}
	}
	if total == maxEvents {
		o = <-closer
	}
	if o.err != nil {
		t.Fatal(o.err)
	}
	if h := health(b, "rabbitmq"); h.FailedAttempts == 0 {
		t.Fatalf("none of %d broker-side closes landed during a Write", o.closes)
	}
	if err := closeBus(t, b, 60*time.Second); err != nil {
		t.Fatal(err)
	}
	if h := health(b, "rabbitmq"); h.Delivered != uint64(total) || h.DroppedTotal() != 0 {
		t.Errorf("health = %+v", h)
	}
	waitFor(t, "the consumer to receive everything", func() bool { return distinct(r.received()) >= total })
	t.Logf("%d broker-side closes", o.closes)
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
