package redissink_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait of these tests.
const waitTimeout = 10 * time.Second

// testRedis returns a client of the test server, closed when t ends, for
// reading streams back and cleaning up; it skips t (or fails it under
// STREAMLL_REQUIRE_SERVICES=1) when the server is unreachable.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := servicetest.RedisURL(t)
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("REDIS_URL: %v", err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	return rdb, url
}

// streamKey returns a stream key unique to t, deleted when t ends.
func streamKey(t *testing.T, rdb redis.UniversalClient) string {
	t.Helper()
	key := servicetest.Name(t, "redissink")
	deleteAtEnd(t, rdb, key)
	return key
}

func deleteAtEnd(t *testing.T, rdb redis.UniversalClient, keys ...string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		for _, k := range keys {
			if err := rdb.Del(ctx, k).Err(); err != nil {
				t.Logf("DEL %s: %v", k, err)
			}
		}
	})
}

// newSink builds a sink and closes it when t ends.
func newSink(t *testing.T, cfg redissink.Config) *redissink.Sink {
	t.Helper()
	s, err := redissink.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// write writes batch with a bounded context.
func write(t *testing.T, s *redissink.Sink, batch []*events.Event) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	return s.Write(ctx, batch)
}

// entries returns the stream's entries once it holds at least want of them,
// or what it holds when ctx ends. It waits with XREAD BLOCK, not by polling.
func entries(ctx context.Context, rdb redis.UniversalClient, key string, want int) ([]redis.XMessage, error) {
	msgs, err := rdb.XRange(ctx, key, "-", "+").Result()
	for err == nil && len(msgs) < want {
		last := "0-0"
		if len(msgs) > 0 {
			last = msgs[len(msgs)-1].ID
		}
		block := time.Second
		if d, ok := ctx.Deadline(); ok {
			block = min(block, time.Until(d))
		}
		if block <= time.Millisecond {
			break
		}
		var streams []redis.XStream
		streams, err = rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{key, last}, Block: block}).Result()
		if errors.Is(err, redis.Nil) {
			err = nil // no new entry within block
		}
		for _, s := range streams {
			msgs = append(msgs, s.Messages...)
		}
	}
	if ctx.Err() != nil {
		err = nil // report what arrived; the caller compares
	}
	return msgs, err
}

// decode returns the events in msgs' "event" fields.
func decode(t *testing.T, msgs []redis.XMessage, field string) []events.Event {
	t.Helper()
	evs := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		raw, ok := m.Values[field].(string)
		if !ok {
			t.Fatalf("entry %s has no %q field: %v", m.ID, field, m.Values)
		}
		ev, err := events.Unmarshal([]byte(raw))
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// readEvents waits for want events in key and decodes them.
func readEvents(t *testing.T, rdb redis.UniversalClient, key string, want int) []events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	msgs, err := entries(ctx, rdb, key, want)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return decode(t, msgs, "event")
}

// ids lists the event IDs of evs, for comparisons.
func ids[E events.Event | *events.Event](evs []E) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		switch ev := any(ev).(type) {
		case events.Event:
			out[i] = ev.EventID
		case *events.Event:
			out[i] = ev.EventID
		}
	}
	return out
}
