package faulttests

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) {
	// The outages here are on purpose: go-redis's own "failed to dial" lines
	// would bury a failing test's messages (the sinks' failures show in
	// Health anyway).
	redissink.SetClientLogger(nil)
	goleak.VerifyTestMain(m)
}

// testRedis is the real Redis with a stream key of the test's own.
type testRedis struct {
	url, addr, key string
	client         *redis.Client
}

func newRedis(t *testing.T) *testRedis {
	t.Helper()
	raw := servicetest.RedisURL(t)
	opt, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := &testRedis{url: raw, addr: opt.Addr, key: servicetest.Name(t, "faults"), client: redis.NewClient(opt)}
	t.Cleanup(func() {
		r.client.Del(context.Background(), r.key)
		r.client.Close()
	})
	return r
}

// sink returns a Redis sink writing to r's stream through rawURL, which may
// point at a fault proxy.
func (r *testRedis) sink(t *testing.T, rawURL string, opts sinks.Options) sinks.Sink {
	t.Helper()
	s, err := redissink.New(redissink.Config{Options: opts, URL: rawURL, StreamKey: r.key})
	if err != nil {
		t.Fatalf("redissink.New(%s): %v", (&url.URL{Host: rawURL}).Redacted(), err)
	}
	return s
}

// readAll returns every event in r's stream, decoded as a consumer would.
func (r *testRedis) readAll(t *testing.T) []events.Event {
	t.Helper()
	msgs, err := r.client.XRange(context.Background(), r.key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := events.Unmarshal([]byte(m.Values["event"].(string)))
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		out = append(out, ev)
	}
	return out
}

func newBus(t *testing.T, ss ...sinks.Sink) *bus.Bus {
	t.Helper()
	b, err := bus.New(bus.Config{Sinks: ss})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func closeBus(t *testing.T, b *bus.Bus, d time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return b.Close(ctx)
}

func health(b *bus.Bus, name string) sinks.Health {
	for _, h := range b.Health() {
		if h.Name == name {
			return h
		}
	}
	return sinks.Health{}
}

// waitFor polls an in-memory condition (Health has no change notification)
// until it holds, failing the test after 30s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// watcher records the circuit states a sink passes through.
type watcher struct {
	stopc chan struct{}
	done  chan map[string]bool
}

func watch(b *bus.Bus, name string) *watcher {
	w := &watcher{stopc: make(chan struct{}), done: make(chan map[string]bool, 1)}
	go func() {
		seen := map[string]bool{}
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			seen[health(b, name).Circuit.String()] = true
			select {
			case <-w.stopc:
				w.done <- seen
				return
			case <-tick.C:
			}
		}
	}()
	return w
}

func (w *watcher) stop() map[string]bool {
	close(w.stopc)
	return <-w.done
}

// emitAtRate emits total events numbered by their Operation at about rate
// per second, calling before(i) ahead of event i, and returns how many it
// emitted.
func emitAtRate(t *testing.T, b *bus.Bus, rate, total int, before func(i int)) int {
	t.Helper()
	emitRange(t, b, rate, 0, total, before)
	return total
}

// emitRange emits the events numbered from to end-1, as emitAtRate does.
func emitRange(t *testing.T, b *bus.Bus, rate, from, end int, before func(i int)) {
	t.Helper()
	perTick := max(rate/1000, 1)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for i := from; i < end; {
		for range perTick {
			if i == end {
				break
			}
			before(i)
			b.Emit(events.Event{EventType: "step", Operation: strconv.Itoa(i)})
			i++
		}
		<-tick.C
	}
}

// checkStream checks a consumer's view of a stream of emitted events
// numbered 0..emitted-1: each is there, first occurrences in order;
// duplicates (at-least-once) are allowed and reported.
func checkStream(t *testing.T, emitted int, got []events.Event) {
	t.Helper()
	seen := map[string]bool{}
	next, dups := 0, 0
	for _, ev := range got {
		if seen[ev.EventID] {
			dups++
			continue
		}
		seen[ev.EventID] = true
		if ev.Operation != strconv.Itoa(next) {
			t.Fatalf("after event %d came %s: lost or out of order", next-1, ev.Operation)
		}
		next++
	}
	if next != emitted {
		t.Fatalf("consumer saw %d distinct events of %d", next, emitted)
	}
	t.Logf("%d events, %d duplicates", emitted, dups)
}
