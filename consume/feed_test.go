package consume_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/consume"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// redisStream returns the test Redis's URL, a client, and a stream key of
// this test's own, deleted afterwards.
func redisStream(t *testing.T) (string, *redis.Client, string) {
	t.Helper()
	u := servicetest.RedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	key := servicetest.Name(t, "consume")
	t.Cleanup(func() {
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
		rdb.Close()
	})
	return u, rdb, key
}

// amqpNames returns the test broker's URL and an exchange and queue name of
// this test's own, deleted afterwards.
func amqpNames(t *testing.T) (u, exchange, queue string) {
	t.Helper()
	u = servicetest.RabbitMQURL(t)
	exchange = servicetest.Name(t, "consume_x")
	queue = servicetest.Name(t, "consume_q")
	t.Cleanup(func() {
		conn, err := amqp.Dial(u)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		_, _ = ch.QueueDelete(queue, false, false, false)
		_ = ch.ExchangeDelete(exchange, false, false)
	})
	return u, exchange, queue
}

// natsURL returns the NATS URL from NATS_URL once a server there sends its
// INFO line, or skips (fails under STREAMLL_REQUIRE_SERVICES=1): a port that
// accepts and never answers skips within seconds, as the drivers' tests do.
func natsURL(t *testing.T) string { return servicetest.NATSURL(t) }

// scenario is what emitScenario emits, as (event_type, operation) pairs.
var scenario = []string{"start forward", "start llm_call", "token llm_call", "token llm_call", "token llm_call",
	"end llm_call", "end forward"}

// emitScenario runs a traced call with a nested LLM call through a bus with
// sink, and closes the bus, which delivers everything.
func emitScenario(t *testing.T, sink sinks.Sink) {
	t.Helper()
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, root := b.Start(context.Background(), bus.Op{Module: "ChatBot", Method: "forward", Operation: "forward",
		Tags: map[string]string{"customer_id": "c-42"}})
	_, call := b.Start(ctx, bus.Op{Operation: "llm_call"})
	for _, tok := range []string{"Hel", "lo", " world"} {
		call.Token(tok)
	}
	call.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 7, events.KeyGenAIUsageOutputTokens: 3}, nil)
	root.End(nil)
	closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Close(closeCtx); err != nil {
		t.Fatalf("bus.Close: %v", err)
	}
}

// collect runs c until it has n messages (or the test's deadline), and
// returns them.
func collect(t *testing.T, c *consume.Consumer, n int) []consume.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []consume.Message
	err := c.Run(ctx, func(_ context.Context, m consume.Message) error {
		got = append(got, m)
		if len(got) == n {
			return consume.ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(got) != n {
		t.Fatalf("got %d messages before the deadline, want %d", len(got), n)
	}
	return got
}

// kinds lists messages as "event_type operation".
func kinds(ms []consume.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, fmt.Sprintf("%s %s", m.Event.EventType, m.Event.Operation))
	}
	return out
}

func checkScenario(t *testing.T, ms []consume.Message) {
	t.Helper()
	if got, want := strings.Join(kinds(ms), ", "), strings.Join(scenario, ", "); got != want {
		t.Fatalf("messages:\n got %s\nwant %s", got, want)
	}
	root, call := ms[0].Event, ms[1].Event
	if call.ParentID != root.ExecutionID || call.Tags["customer_id"] != "c-42" {
		t.Errorf("the nested call has parent %q and tags %v, want parent %q and customer_id c-42", call.ParentID, call.Tags, root.ExecutionID)
	}
	var text strings.Builder
	for _, m := range ms[2:5] {
		text.WriteString(m.Event.Data[events.KeyToken].(string))
	}
	if text.String() != "Hello world" {
		t.Errorf("tokens read %q, want %q", text.String(), "Hello world")
	}
	if out := ms[5].Event.Data[events.KeyGenAIUsageOutputTokens]; out != 3.0 {
		t.Errorf("output tokens = %v, want 3", out)
	}
	for _, m := range ms {
		if ev, err := events.Unmarshal(m.Raw); err != nil || ev.EventID != m.Event.EventID {
			t.Errorf("Raw of %s does not decode to the event: %v", m.ID, err)
		}
	}
}
