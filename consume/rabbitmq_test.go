package consume_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/consume"
)

func newRabbitSink(t *testing.T, u, exchange string) *rabbitmqsink.Sink {
	t.Helper()
	s, err := rabbitmqsink.New(rabbitmqsink.Config{URL: u, Exchange: exchange, RoutingKey: "ai.{module_name}.{event_type}"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newRabbit(t *testing.T, cfg consume.RabbitMQConfig) *consume.Consumer {
	t.Helper()
	c, err := consume.NewRabbitMQ(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewRabbitMQ: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestRabbitMQPrivateQueue is tail's case: a private queue bound to the
// sink's exchange sees what the bus publishes from then on.
func TestRabbitMQPrivateQueue(t *testing.T) {
	u, exchange, _ := amqpNames(t)
	c := newRabbit(t, consume.RabbitMQConfig{URL: u, Exchange: exchange})
	emitScenario(t, newRabbitSink(t, u, exchange))
	ms := collect(t, c, len(scenario))
	checkScenario(t, ms)
	if ms[0].Source != "ai.ChatBot.start" || ms[0].ID != ms[0].Event.EventID {
		t.Errorf("first message: Source %q ID %q, want the routing key and the event_id", ms[0].Source, ms[0].ID)
	}
}

// TestRabbitMQDurableQueue: the declared and bound queue keeps what is
// published while no consumer runs; a handler's failure leaves the rest in
// the queue, redelivered to the next consumer; an invalid message is rejected
// and does not come back.
func TestRabbitMQDurableQueue(t *testing.T) {
	u, exchange, queue := amqpNames(t)
	cfg := consume.RabbitMQConfig{URL: u, Exchange: exchange, Queue: queue, BindingKey: "ai.#"}
	newRabbit(t, cfg).Close() // declares and binds, as the audit consumer's first start does
	publishRaw(t, u, exchange, "ai.x.bad", "not json")
	emitScenario(t, newRabbitSink(t, u, exchange))

	first := newRabbit(t, cfg)
	boom := errors.New("boom")
	var got []consume.Message
	err := first.Run(t.Context(), func(_ context.Context, m consume.Message) error {
		if len(got) == 3 {
			return boom
		}
		got = append(got, m)
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
	first.Close()

	second := newRabbit(t, cfg)
	rest := collect(t, second, len(scenario)-3)
	if !rest[0].Redelivered {
		t.Error("the message the handler failed on is not marked redelivered")
	}
	checkScenario(t, append(got, rest...))
	if inv := first.Stats().Invalid + second.Stats().Invalid; inv != 1 {
		t.Errorf("invalid messages seen = %d, want 1 (rejected once, not redelivered)", inv)
	}
}

// TestRabbitMQExistingQueue consumes a queue by name only, and refuses one
// that does not exist.
func TestRabbitMQExistingQueue(t *testing.T) {
	u, exchange, queue := amqpNames(t)
	_, err := consume.NewRabbitMQ(t.Context(), consume.RabbitMQConfig{URL: u, Queue: queue})
	if !errors.Is(err, consume.ErrConnect) || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("NewRabbitMQ of a missing queue = %v, want ErrConnect saying so", err)
	}
	newRabbit(t, consume.RabbitMQConfig{URL: u, Exchange: exchange, Queue: queue}).Close()
	emitScenario(t, newRabbitSink(t, u, exchange))
	checkScenario(t, collect(t, newRabbit(t, consume.RabbitMQConfig{URL: u, Queue: queue}), len(scenario)))
}

func TestRabbitMQConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  consume.RabbitMQConfig
		want error
	}{
		{"nothing to read", consume.RabbitMQConfig{}, consume.ErrInvalidConfig},
		{"a position", consume.RabbitMQConfig{Exchange: "x", Options: consume.Options{From: "12"}}, consume.ErrInvalidConfig},
		{"unreachable", consume.RabbitMQConfig{URL: "amqp://app:s3cret@127.0.0.1:1/", Exchange: "x"}, consume.ErrConnect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := consume.NewRabbitMQ(t.Context(), tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewRabbitMQ = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func publishRaw(t *testing.T, u, exchange, key, body string) {
	t.Helper()
	conn, err := amqp.Dial(u)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	conf, err := ch.PublishWithDeferredConfirmWithContext(t.Context(), exchange, key, false, false, amqp.Publishing{Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := conf.WaitContext(t.Context()); !ok || err != nil {
		t.Fatalf("publish not confirmed: %v", err)
	}
}
