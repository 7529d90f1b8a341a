package sinkurl_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// waitTimeout bounds every wait of these tests.
const waitTimeout = 20 * time.Second

// withSettings appends settings to a service URL, which may have a query.
func withSettings(rawURL, settings string) string {
	if strings.Contains(rawURL, "?") {
		return rawURL + "&" + settings
	}
	return rawURL + "?" + settings
}

// only parses a one-item list and returns its sink, closed when t ends.
func only(t *testing.T, list string) sinks.Sink {
	t.Helper()
	built, err := sinkurl.Parse(list)
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 1 {
		t.Fatalf("Parse built %d sinks, want 1", len(built))
	}
	t.Cleanup(func() {
		if err := built[0].Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return built[0]
}

func testEvent() *events.Event {
	return &events.Event{
		EventID: events.NewID(), ExecutionID: events.NewID(), Timestamp: time.Now(),
		ModuleName: "LoanDecisionEngine", MethodName: "forward",
		EventType: events.TypeStart, Operation: "llm_call",
		Tags: map[string]string{"department": "lending"},
	}
}

// TestRedisRoundTrip proves that a Redis spec's settings reach the server:
// the stream key, the field name and the pass-through go-redis options.
func TestRedisRoundTrip(t *testing.T) {
	rawURL := servicetest.RedisURL(t)
	key := servicetest.Name(t, "sinkurl")
	s := only(t, withSettings(rawURL, "stream="+key+"&field=message&maxlen=100&dial_timeout=2s&buffer=50"))

	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	t.Cleanup(func() {
		client.Del(context.Background(), key)
		client.Close()
	})

	ev := testEvent()
	if err := s.Write(ctx, []*events.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	entries, err := client.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		t.Fatalf("XRANGE %s: %v", key, err)
	}
	if len(entries) != 1 {
		t.Fatalf("stream %s has %d entries, want 1", key, len(entries))
	}
	raw, ok := entries[0].Values["message"].(string)
	if !ok {
		t.Fatalf("entry has no field \"message\": %v", entries[0].Values)
	}
	got, err := events.Unmarshal([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got.EventID != ev.EventID {
		t.Errorf("event_id %q, want %q", got.EventID, ev.EventID)
	}
}

// TestRabbitMQRoundTrip proves that an AMQP spec's settings reach the
// broker: the exchange, the routing-key template (with encoded braces), the
// queue and its binding key (with an encoded '#').
func TestRabbitMQRoundTrip(t *testing.T) {
	rawURL := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	queue := servicetest.Name(t, "q")
	s := only(t, withSettings(rawURL, "exchange="+exchange+"&routing_key=loan.%7Boperation%7D.{event_type}"+
		"&queue="+queue+"&binding_key=loan.%23&transient&heartbeat=10&max_retries=5"))

	conn, err := amqp.DialConfig(rawURL, amqp.Config{Dial: amqp.DefaultDial(waitTimeout)})
	if err != nil {
		t.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = ch.QueueDelete(queue, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
		_ = conn.Close()
	})

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ev := testEvent()
	if err := s.Write(ctx, []*events.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	// Write returns once the broker confirmed the message, which it does
	// after routing it to the queue: it is there to get.
	d, ok, err := ch.Get(queue, true)
	switch {
	case err != nil:
		t.Fatalf("get from %s: %v", queue, err)
	case !ok:
		t.Fatalf("queue %s is empty", queue)
	}
	if want := "loan.llm_call.start"; d.RoutingKey != want {
		t.Errorf("routing key %q, want %q", d.RoutingKey, want)
	}
	if d.MessageId != ev.EventID {
		t.Errorf("message_id %q, want the event_id %q", d.MessageId, ev.EventID)
	}
	if d.DeliveryMode != amqp.Transient {
		t.Errorf("delivery mode %d, want transient (%d)", d.DeliveryMode, amqp.Transient)
	}
	got, err := events.Unmarshal(d.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tags["department"] != "lending" {
		t.Errorf("tags %v, want department=lending", got.Tags)
	}
}

// TestNATSRoundTrip proves that a NATS spec's settings reach the server: the
// stream created with its settings, the subject template (with encoded
// braces) and the Nats-Msg-Id header.
func TestNATSRoundTrip(t *testing.T) {
	rawURL := servicetest.NATSURL(t)
	stream := servicetest.Name(t, "sinkurl")
	s := only(t, withSettings(rawURL, "stream="+stream+"&subject="+strings.ToLower(stream)+".%7Boperation%7D.{event_type}"+
		"&create&storage=memory&duplicates=1m&max_msgs=100&window=10"))

	nc, err := nats.Connect(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		_ = js.DeleteStream(ctx, stream)
		nc.Close()
	})

	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	ev := testEvent()
	if err := s.Write(ctx, []*events.Event{ev}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	st, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("stream %s: %v", stream, err)
	}
	info := st.CachedInfo().Config
	if info.Storage != jetstream.MemoryStorage || info.Duplicates != time.Minute || info.MaxMsgs != 100 {
		t.Errorf("stream created with storage %v, duplicates %v, max_msgs %d; want memory, 1m, 100", info.Storage, info.Duplicates, info.MaxMsgs)
	}
	m, err := st.GetMsg(ctx, 1)
	if err != nil {
		t.Fatalf("message 1 of %s: %v", stream, err)
	}
	if want := strings.ToLower(stream) + ".llm_call.start"; m.Subject != want {
		t.Errorf("subject %q, want %q", m.Subject, want)
	}
	if got := m.Header.Get(jetstream.MsgIDHeader); got != ev.EventID {
		t.Errorf("Nats-Msg-Id %q, want the event_id %q", got, ev.EventID)
	}
	got, err := events.Unmarshal(m.Data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Tags["department"] != "lending" {
		t.Errorf("tags %v, want department=lending", got.Tags)
	}
}
