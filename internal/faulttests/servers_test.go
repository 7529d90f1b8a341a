//go:build faults

package faulttests

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// These tests stop servers: a redis-server of the test's own, and the shared
// RabbitMQ broker. They run alone, in their own CI step (see doc.go).

// TestRedisServerRestart kills a Redis server of its own for about 5s in the
// middle of a 5K events/s stream, as a crash would, and starts it again on
// the same port. The server keeps nothing on disk, so a consumer follows the
// stream live, as the seed's dashboard does, across the restart; what the
// sink buffers during the outage it delivers after.
func TestRedisServerRestart(t *testing.T) {
	srv := servicetest.StartRedisServer(t)
	opt, err := redis.ParseURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	r := &testRedis{url: srv.URL(), addr: srv.Addr, key: servicetest.Name(t, "faults"), client: redis.NewClient(opt)}
	t.Cleanup(func() { r.client.Close() })
	opts := quickRecovery
	opts.Breaker.RecoveryTimeout = time.Second
	rs := r.sink(t, r.url, opts)
	mem, _ := memory.New(memory.Config{Options: sinks.Options{Name: "memory", BufferSize: 200_000}})
	b := newBus(t, rs, mem)

	ctx, cancel := context.WithCancel(context.Background())
	f := &follower{}
	var wg sync.WaitGroup
	wg.Go(func() { f.follow(ctx, r) })

	const rate, total = 5000, 50000 // 10s
	w := watch(b, "redis")
	restarted := make(chan error, 1)
	emitAtRate(t, b, rate, total, func(i int) {
		if i == 10000 {
			// What the killed server held but the consumer had not read yet
			// would die with it (nothing on disk): let the consumer catch up
			// with what was delivered first.
			waitFor(t, "the consumer to read what Redis holds", func() bool {
				return health(b, "redis").Delivered == uint64(i) && distinct(f.events()) >= i
			})
			srv.Stop()
			time.AfterFunc(5*time.Second, func() { restarted <- srv.Start() })
		}
	})
	if err := <-restarted; err != nil {
		t.Fatalf("restarting Redis: %v", err)
	}
	if err := closeBus(t, b, time.Minute); err != nil {
		t.Fatal(err)
	}
	seen := w.stop()
	waitFor(t, "the consumer to catch up", func() bool { return distinct(f.events()) >= total })
	cancel()
	wg.Wait()
	if !seen["open"] || !seen["closed"] {
		t.Errorf("circuit states seen: %v; want it to open and close", seen)
	}
	if h := health(b, "redis"); h.DroppedTotal() != 0 || h.Circuit != supervisor.Closed {
		t.Errorf("redis health = %+v", h)
	}
	checkStream(t, total, f.events())
	if m := health(b, "memory"); m.Delivered != total || m.FailedAttempts != 0 {
		t.Errorf("memory sink was affected: %+v", m)
	}
}

// follower reads a stream live, as the seed's dashboard does.
type follower struct {
	mu  sync.Mutex
	got []events.Event
}

func (f *follower) events() []events.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]events.Event(nil), f.got...)
}

// follow reads r's stream with XREAD BLOCK until ctx ends, riding out the
// server's absence.
func (f *follower) follow(ctx context.Context, r *testRedis) {
	c := redis.NewClient(&redis.Options{Addr: r.addr, MaxRetries: -1})
	defer c.Close()
	last := "0"
	for ctx.Err() == nil {
		res, err := c.XRead(ctx, &redis.XReadArgs{Streams: []string{r.key, last}, Block: 100 * time.Millisecond, Count: 1000}).Result()
		if err != nil {
			if err != redis.Nil {
				time.Sleep(50 * time.Millisecond) // the server is down; try again
			}
			continue
		}
		for _, m := range res[0].Messages {
			last = m.ID
			if ev, err := events.Unmarshal([]byte(m.Values["event"].(string))); err == nil {
				f.mu.Lock()
				f.got = append(f.got, ev)
				f.mu.Unlock()
			}
		}
	}
}

// TestRabbitMQServerRestart restarts the broker application in the middle of
// a stream: with confirms and a durable queue nothing is lost; duplicates
// are possible and counted.
func TestRabbitMQServerRestart(t *testing.T) {
	servicetest.RequireRabbitmqctl(t)
	r := newRabbit(t)
	t.Cleanup(func() { _, _ = servicetest.RunRabbitmqctl("start_app") }) // leave the broker running whatever happens
	b := newBus(t, r.sink(t, sinks.Options{Name: "rabbitmq", BufferSize: 200_000,
		Retry:   supervisor.Retry{InitialInterval: 50 * time.Millisecond, MaxInterval: 500 * time.Millisecond},
		Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: time.Second}}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.consume(t, ctx) // declares the durable queue; its connection dies with the broker

	// The broker restarts while the stream goes on (no t.Fatal in the
	// goroutine: its error is checked below).
	const total = 30000 // 10s
	restarted := make(chan error, 1)
	emitAtRate(t, b, 3000, total, func(i int) {
		if i == 6000 {
			go func() {
				var err error
				for _, step := range []string{"stop_app", "start_app", "await_startup"} {
					if err == nil {
						_, err = servicetest.RunRabbitmqctl(step)
					}
				}
				restarted <- err
			}()
		}
	})
	if err := <-restarted; err != nil {
		t.Fatalf("restarting the broker: %v", err)
	}
	if err := closeBus(t, b, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	h := health(b, "rabbitmq")
	if h.Delivered != total || h.DroppedTotal() != 0 || h.FailedAttempts == 0 {
		t.Errorf("health = %+v", h)
	}
	// The queue is durable and the messages persistent: a fresh consumer
	// drains what the first one missed during the restart.
	cancel()
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	wait := r.consume(t, ctx2)
	waitFor(t, "every event", func() bool { return distinct(r.received()) >= total })
	cancel2()
	wait()
	checkStream(t, total, r.received())
}
