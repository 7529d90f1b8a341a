package consume_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/consume"
	"github.com/streamll/streamll-go/events"
)

func newRedisSink(t *testing.T, u, key string) *redissink.Sink {
	t.Helper()
	s, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newRedis(t *testing.T, cfg consume.RedisConfig) *consume.Consumer {
	t.Helper()
	if cfg.Wait == 0 {
		cfg.Wait = 100 * time.Millisecond
	}
	c, err := consume.NewRedis(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewRedis: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// xadd appends raw events as the sink would (field event), or in the field
// given, and returns the entry IDs.
func xadd(t *testing.T, rdb *redis.Client, key, field string, raws ...string) []string {
	t.Helper()
	var ids []string
	for _, raw := range raws {
		id, err := rdb.XAdd(t.Context(), &redis.XAddArgs{Stream: key, Values: []string{field, raw}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func wire(t *testing.T, typ events.Type, token string) string {
	t.Helper()
	ev := events.Event{EventID: events.NewID(), ExecutionID: "exec00000001", Timestamp: time.Now(), EventType: typ,
		Operation: "llm_call", Data: map[string]any{events.KeyToken: token}}
	return string(events.Marshal(&ev))
}

// TestRedisNow is tail's case: a consumer made before the producer runs
// reads everything the bus writes, in order, through the real sink.
func TestRedisNow(t *testing.T) {
	u, rdb, key := redisStream(t)
	xadd(t, rdb, key, "event", wire(t, events.TypeStart, "before")) // not read: it precedes the consumer
	c := newRedis(t, consume.RedisConfig{URL: u, Stream: key})
	emitScenario(t, newRedisSink(t, u, key))
	ms := collect(t, c, len(scenario))
	checkScenario(t, ms)
	for _, m := range ms {
		if m.Source != key || m.ID == "" || m.Redelivered {
			t.Errorf("message %+v: want Source %s, an entry ID, not redelivered", m, key)
		}
	}
	if s := c.Stats(); s.Received != uint64(len(scenario)) || s.Handled != s.Received || s.Invalid != 0 {
		t.Errorf("Stats = %+v", s)
	}
}

// TestRedisFrom reads from the beginning and from an entry ID (after it).
func TestRedisFrom(t *testing.T) {
	u, rdb, key := redisStream(t)
	ids := xadd(t, rdb, key, "event", wire(t, events.TypeToken, "a"), wire(t, events.TypeToken, "b"), wire(t, events.TypeToken, "c"))
	tests := []struct {
		from string
		want string
	}{
		{consume.FromBeginning, "abc"},
		{"0", "abc"},
		{ids[0], "bc"},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			c := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Options: consume.Options{From: tt.from}})
			var got strings.Builder
			for _, m := range collect(t, c, len(tt.want)) {
				got.WriteString(m.Event.Data[events.KeyToken].(string))
			}
			if got.String() != tt.want {
				t.Errorf("read %q, want %q", got.String(), tt.want)
			}
		})
	}
}

// TestRedisPythonAndInvalid: entries the Python streamll wrote (field
// message, a space in the timestamp, a null operation) are read; entries that
// are not events are reported and skipped, and reading goes on.
func TestRedisPythonAndInvalid(t *testing.T) {
	u, rdb, key := redisStream(t)
	python := `{"event_id":"py0000000001","execution_id":"","timestamp":"2025-09-17 15:22:32.123456+00:00",` +
		`"module_name":"manual","method_name":"forward","event_type":"start","operation":null,"data":{},"tags":{}}`
	xadd(t, rdb, key, "message", python)
	xadd(t, rdb, key, "event", `{"not":"an event"}`)
	xadd(t, rdb, key, "other", "x")
	xadd(t, rdb, key, "event", wire(t, events.TypeEnd, ""))
	var invalid []consume.Invalid
	c := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Options: consume.Options{From: consume.FromBeginning,
		OnInvalid: func(inv consume.Invalid) { invalid = append(invalid, inv) }}})
	ms := collect(t, c, 2)
	if ms[0].Event.EventID != "py0000000001" || ms[0].Event.Timestamp.Year() != 2025 || ms[1].Event.EventType != events.TypeEnd {
		t.Errorf("read %+v, %+v", ms[0].Event, ms[1].Event)
	}
	if len(invalid) != 2 || !errors.Is(invalid[0].Err, events.ErrInvalidEvent) || !strings.Contains(invalid[1].Err.Error(), `no "event" field`) {
		t.Errorf("invalid = %+v", invalid)
	}
	if s := c.Stats(); s.Received != 4 || s.Invalid != 2 || s.Handled != 2 {
		t.Errorf("Stats = %+v", s)
	}
}

// TestRedisGroup: a group member acknowledges what its handler took; what the
// handler failed on stays pending and is the first thing the member reads
// when it comes back.
func TestRedisGroup(t *testing.T) {
	u, rdb, key := redisStream(t)
	cfg := consume.RedisConfig{URL: u, Stream: key, Group: "dash", Consumer: "web-1"}
	c := newRedis(t, cfg) // creates the group at the stream's end
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "a"), wire(t, events.TypeToken, "b"), wire(t, events.TypeToken, "c"))

	boom := errors.New("boom")
	var seen []string
	err := c.Run(t.Context(), func(_ context.Context, m consume.Message) error {
		seen = append(seen, m.Event.Data[events.KeyToken].(string))
		if len(seen) == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the handler's error", err)
	}
	c.Close()
	if n := pendingCount(t, rdb, key, "dash"); n != 2 {
		t.Fatalf("%d entries pending after the failure, want 2 (b and c)", n)
	}

	again := newRedis(t, cfg)
	ms := collect(t, again, 2)
	if ms[0].Event.Data[events.KeyToken] != "b" || !ms[0].Redelivered || ms[1].Event.Data[events.KeyToken] != "c" {
		t.Errorf("after restart read %v (redelivered %v), want b then c, redelivered", kinds(ms), ms[0].Redelivered)
	}
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "d"))
	if m := collect(t, again, 1)[0]; m.Event.Data[events.KeyToken] != "d" || m.Redelivered {
		t.Errorf("then read %v, want d, new", m.Event.Data)
	}
	if n := pendingCount(t, rdb, key, "dash"); n != 0 {
		t.Errorf("%d entries pending at the end, want 0", n)
	}
}

// TestRedisClaim: entries a member read and never acknowledged (it died) are
// taken over by another member with ClaimIdle.
func TestRedisClaim(t *testing.T) {
	u, rdb, key := redisStream(t)
	dead := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Group: "g", Consumer: "dead"})
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "a"), wire(t, events.TypeToken, "b"))
	err := dead.Run(t.Context(), func(context.Context, consume.Message) error { return errors.New("crash") })
	if err == nil {
		t.Fatal("Run = nil")
	}
	heir := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Group: "g", Consumer: "heir", ClaimIdle: time.Millisecond})
	ms := collect(t, heir, 2)
	if ms[0].Event.Data[events.KeyToken] != "a" || ms[1].Event.Data[events.KeyToken] != "b" || !ms[0].Redelivered {
		t.Errorf("heir read %v, want a and b, redelivered", kinds(ms))
	}
	if n := pendingCount(t, rdb, key, "g"); n != 0 {
		t.Errorf("%d entries pending, want 0", n)
	}
}

func pendingCount(t *testing.T, rdb *redis.Client, key, group string) int64 {
	t.Helper()
	p, err := rdb.XPending(t.Context(), key, group).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

// TestRedisStop: Run returns nil when its context ends, and ErrClosed when
// the consumer is closed under it; an iterator loop that breaks leaves the
// message it broke on unacknowledged.
func TestRedisStop(t *testing.T) {
	u, rdb, key := redisStream(t)
	c := newRedis(t, consume.RedisConfig{URL: u, Stream: key})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, func(context.Context, consume.Message) error { return nil }) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}

	go func() { done <- c.Run(t.Context(), func(context.Context, consume.Message) error { return nil }) }()
	c.Close()
	if err := <-done; !errors.Is(err, consume.ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}

	g := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Group: "it", Consumer: "one"})
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "a"), wire(t, events.TypeToken, "b"), wire(t, events.TypeToken, "c"))
	n := 0
	for m, err := range g.Messages(t.Context()) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; m.Event.Data[events.KeyToken] == "b" {
			break
		}
	}
	if p := pendingCount(t, rdb, key, "it"); p != 2 {
		t.Errorf("%d pending after breaking on b, want 2 (b and c)", p)
	}
}

func TestRedisConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  consume.RedisConfig
		want error
	}{
		{"bad from", consume.RedisConfig{Options: consume.Options{From: "yesterday"}}, consume.ErrInvalidConfig},
		{"consumer without group", consume.RedisConfig{Consumer: "x"}, consume.ErrInvalidConfig},
		{"bad scheme", consume.RedisConfig{URL: "http://x"}, consume.ErrInvalidConfig},
		{"unreachable", consume.RedisConfig{URL: "redis://user:s3cret@127.0.0.1:1"}, consume.ErrConnect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := consume.NewRedis(t.Context(), tt.cfg)
			if !errors.Is(err, tt.want) {
				if c != nil {
					c.Close()
				}
				t.Fatalf("NewRedis = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// TestRedisPosition: a consumer made again from Position misses nothing
// written while none ran, whether the first had read anything or not.
func TestRedisPosition(t *testing.T) {
	u, rdb, key := redisStream(t)
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "old"))
	first := newRedis(t, consume.RedisConfig{URL: u, Stream: key})
	pos := first.Position()
	first.Close()
	xadd(t, rdb, key, "event", wire(t, events.TypeToken, "a"), wire(t, events.TypeToken, "b"))
	second := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Options: consume.Options{From: pos}})
	if m := collect(t, second, 1)[0]; m.Event.Data[events.KeyToken] != "a" {
		t.Fatalf("from %s read %v, want a", pos, m.Event.Data)
	}
	pos = second.Position()
	second.Close()
	third := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Options: consume.Options{From: pos}})
	if m := collect(t, third, 1)[0]; m.Event.Data[events.KeyToken] != "b" {
		t.Errorf("from %s read %v, want b", pos, m.Event.Data)
	}
	if g := newRedis(t, consume.RedisConfig{URL: u, Stream: key, Group: "g"}); g.Position() != "" {
		t.Errorf("a group's Position = %q, want empty (the group keeps it)", g.Position())
	}
}
