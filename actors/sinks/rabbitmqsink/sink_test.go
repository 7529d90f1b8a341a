package rabbitmqsink_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestConformance(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	var queues sinktest.Destinations[*testQueue]
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		exchange := servicetest.Name(t, "x")
		q := bindQueue(t, url, queueSpec{exchange: exchange})
		s, err := rabbitmqsink.New(rabbitmqsink.Config{URL: via.URL(url, "5672"), Exchange: exchange})
		if err != nil {
			t.Fatal(err)
		}
		return queues.Add(s, q)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			return decode(t, queues.Of(s).wait(ctx, want))
		},
	})
}

// TestWireFormat checks each consumed message byte for byte against the
// wire encoding, and its properties, headers and routing key.
func TestWireFormat(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, url, queueSpec{exchange: exchange, bindingKey: "loan.#"})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, RoutingKey: "loan.{operation}.{event_type}"})

	batch := sinktest.MakeEvents(20, "op")
	batch[3].ModuleName = "pkg.Bot" // a '.' must not add a routing-key word
	write(t, s, batch)

	got := q.waitFor(t, len(batch))
	for i, d := range got {
		ev := batch[i]
		if want := events.AppendJSON(nil, ev); !bytes.Equal(d.Body, want) {
			t.Errorf("message %d body:\n got %s\nwant %s", i, d.Body, want)
		}
		checks := []struct {
			field     string
			got, want any
		}{
			{"routing key", d.RoutingKey, "loan." + ev.Operation + "." + string(ev.EventType)},
			{"exchange", d.Exchange, exchange},
			{"content type", d.ContentType, "application/json"},
			{"delivery mode", d.DeliveryMode, amqp.Persistent},
			{"message id", d.MessageId, ev.EventID},
			{"timestamp", d.Timestamp.Unix(), ev.Timestamp.Unix()},
			{"type", d.Type, string(ev.EventType)},
			{"app id", d.AppId, "streamll-go"},
			{"header event_type", d.Headers["event_type"], string(ev.EventType)},
			{"header operation", d.Headers["operation"], ev.Operation},
			{"header module_name", d.Headers["module_name"], ev.ModuleName},
			{"header method_name", d.Headers["method_name"], ev.MethodName},
			{"header execution_id", d.Headers["execution_id"], ev.ExecutionID},
			{"header schema_version", d.Headers["schema_version"], events.SchemaVersion},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("message %d %s = %#v, want %#v", i, c.field, c.got, c.want)
			}
		}
	}
}

// TestTransient: Transient publishes non-persistent messages.
func TestTransient(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	queue := servicetest.Name(t, "q")
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, Transient: true,
		Queue: &rabbitmqsink.QueueConfig{Name: queue}})
	deleteExchange(t, url, exchange)
	write(t, s, sinktest.MakeEvents(1, "transient"))
	q := consumeQueue(t, url, queue)
	if d := q.waitFor(t, 1)[0]; d.DeliveryMode != amqp.Transient {
		t.Errorf("delivery mode = %d, want %d (transient)", d.DeliveryMode, amqp.Transient)
	}
}

// consumeQueue consumes a queue a sink declared (through Config.Queue) and
// deletes it when t ends.
func consumeQueue(t *testing.T, url, name string) *testQueue {
	t.Helper()
	conn, ch := adminChannel(t, url)
	cleanupOn(t, url, func(ch *amqp.Channel) { _, _ = ch.QueueDelete(name, false, false, false) })
	d, err := ch.Consume(name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatalf("consume the queue the sink declared: %v", err)
	}
	return &testQueue{name: name, conn: conn, deliveries: d}
}

// TestDeclaresQueue: Config.Queue declares and binds the queue before the
// first publish, so nothing is lost before a consumer exists; the HEAD
// layout (default exchange, routing key = queue name) works too.
func TestDeclaresQueue(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	cases := []struct {
		name string
		cfg  func(exchange, queue string) rabbitmqsink.Config
	}{
		{"TopicExchange", func(x, q string) rabbitmqsink.Config {
			return rabbitmqsink.Config{Exchange: x, RoutingKey: "audit.{event_type}",
				Queue: &rabbitmqsink.QueueConfig{Name: q, BindingKey: "audit.*", MaxLength: 1000, DeadLetterExchange: x + "_dlx"}}
		}},
		{"DefaultExchange", func(_, q string) rabbitmqsink.Config {
			return rabbitmqsink.Config{Exchange: rabbitmqsink.AMQPDefaultExchange, Transient: true,
				Queue: &rabbitmqsink.QueueConfig{Name: q}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			exchange, queue := servicetest.Name(t, "x"), servicetest.Name(t, "q")
			cfg := c.cfg(exchange, queue)
			cfg.URL = url
			s := newSink(t, cfg)
			if cfg.Exchange != rabbitmqsink.AMQPDefaultExchange {
				deleteExchange(t, url, exchange)
			}
			batch := sinktest.MakeEvents(5, "declared")
			write(t, s, batch) // published before anyone consumes
			consumeQueue(t, url, queue).expectEvents(t, batch)
		})
	}
}

// TestMandatoryReturns: with Mandatory, events no queue receives are
// reported as permanent failures (ErrReturned); the others are delivered.
func TestMandatoryReturns(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	q := bindQueue(t, url, queueSpec{exchange: exchange, bindingKey: "streamll.start"})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, Mandatory: true})

	batch := sinktest.MakeEvents(12, "mandatory") // start, docs_found, end, error, ...
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := s.Write(ctx, batch)
	var be *sinks.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("Write = %v, want a *sinks.BatchError", err)
	}
	var routed []*events.Event
	failed := map[int]bool{}
	for _, f := range be.Failed {
		failed[f.Index] = true
		if !errors.Is(f.Err, rabbitmqsink.ErrReturned) || !sinks.IsPermanent(f.Err) {
			t.Errorf("failure %d: %v, want a permanent ErrReturned", f.Index, f.Err)
		}
	}
	for i, ev := range batch {
		if want := ev.EventType != events.TypeStart; failed[i] != want {
			t.Errorf("event %d (%s): failed = %v, want %v", i, ev.EventType, failed[i], want)
		}
		if ev.EventType == events.TypeStart {
			routed = append(routed, ev)
		}
	}
	q.expectEvents(t, routed)

	// With no binding at all, every event is returned.
	lone := servicetest.Name(t, "lone")
	deleteExchange(t, url, lone)
	s2 := newSink(t, rabbitmqsink.Config{URL: url, Exchange: lone, Mandatory: true})
	err = s2.Write(ctx, batch[:3])
	if !errors.As(err, &be) || len(be.Failed) != 3 {
		t.Fatalf("Write with no binding = %v, want all 3 events failed", err)
	}
}

// TestNacked: the broker nacks what a full queue with overflow
// reject-publish refuses; exactly those events are reported, retryable.
func TestNacked(t *testing.T) {
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	spec := queueSpec{exchange: exchange, args: amqp.Table{"x-max-length": int64(5), "x-overflow": "reject-publish"}}
	spec.noConsume = true
	bindQueue(t, url, spec)
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange})

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := s.Write(ctx, sinktest.MakeEvents(8, "nack"))
	var be *sinks.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("Write = %v, want a *sinks.BatchError", err)
	}
	var idx []int
	for _, f := range be.Failed {
		idx = append(idx, f.Index)
		if !errors.Is(f.Err, rabbitmqsink.ErrNacked) || sinks.IsPermanent(f.Err) {
			t.Errorf("failure %d: %v, want a retryable ErrNacked", f.Index, f.Err)
		}
	}
	if want := []int{5, 6, 7}; !slices.Equal(idx, want) {
		t.Errorf("failed indexes = %v, want %v", idx, want)
	}
}
