package faulttests

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// quickRecovery makes outages observable within a test's time: the breaker
// opens after 3 failed attempts and probes every 300ms.
var quickRecovery = sinks.Options{
	Name:         "redis",
	BufferSize:   200_000,
	WriteTimeout: time.Second,
	Retry:        supervisor.Retry{InitialInterval: 20 * time.Millisecond, MaxInterval: 100 * time.Millisecond},
	Breaker:      supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 300 * time.Millisecond},
}

// TestRedisOutageLosesNothing cuts Redis off in the middle of a steady
// stream: nothing is lost, order holds, the breaker opens and closes, and a
// second sink never notices.
func TestRedisOutageLosesNothing(t *testing.T) {
	r := newRedis(t)
	proxy := faultproxy.New(t, r.addr)
	rs := r.sink(t, "redis://"+proxy.Addr(), quickRecovery)
	mem, _ := memory.New(memory.Config{Options: sinks.Options{Name: "memory", BufferSize: 200_000}})
	b := newBus(t, rs, mem)

	const rate, total = 5000, 12000 // 2.4s of stream
	outageAt, outageFor := 3000, 1500*time.Millisecond
	w := watch(b, "redis")
	emitted := emitAtRate(t, b, rate, total, func(i int) {
		if i == outageAt {
			proxy.Cut()
			time.AfterFunc(outageFor, proxy.Restore)
		}
	})
	if err := closeBus(t, b, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	seen := w.stop()
	if !seen["open"] || !seen["closed"] {
		t.Errorf("circuit states seen during the run: %v; want it to open and close", seen)
	}
	h := health(b, "redis")
	if h.Delivered != total || h.DroppedTotal() != 0 || h.Circuit != supervisor.Closed || h.FailedAttempts == 0 {
		t.Errorf("redis health = %+v", h)
	}
	got := r.readAll(t)
	checkStream(t, emitted, got)
	if m := health(b, "memory"); m.Delivered != total || m.FailedAttempts != 0 {
		t.Errorf("memory sink was affected: %+v", m)
	}
}

// TestRedisFrozenTripsBreakerWithoutBlockingEmit blackholes Redis: writes
// time out, the timeouts open the breaker, and Emit keeps returning at once.
func TestRedisFrozenTripsBreakerWithoutBlockingEmit(t *testing.T) {
	r := newRedis(t)
	proxy := faultproxy.New(t, r.addr)
	opts := quickRecovery
	opts.WriteTimeout = 2 * time.Second
	opts.Breaker.FailureThreshold = 2
	rs := r.sink(t, "redis://"+proxy.Addr()+"?dial_timeout=2s", opts)
	b := newBus(t, rs)
	b.Emit(events.Event{Operation: "warm-up"})
	if err := b.Flush(t.Context()); err != nil { // the first delivery
		t.Fatal(err)
	}

	proxy.Freeze()
	var slowest time.Duration
	deadline := time.Now().Add(30 * time.Second)
	i := 0
	for health(b, "redis").Circuit != supervisor.Open {
		if time.Now().After(deadline) {
			t.Fatalf("the breaker did not open on timeouts: %+v", health(b, "redis"))
		}
		start := time.Now()
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
		slowest = max(slowest, time.Since(start))
		i++
		time.Sleep(time.Millisecond) // a producer's steady pace, not a wait for the bus
	}
	// A blocked Emit would take the whole 2s write timeout; allow for a
	// noisy machine's scheduling hiccups, not for waiting on the sink.
	if slowest >= time.Second {
		t.Errorf("slowest Emit took %v while Redis was frozen", slowest)
	}
	h := health(b, "redis")
	if h.LastError == "" || h.ConsecutiveFailures < 2 {
		t.Errorf("health while frozen = %+v", h)
	}
	proxy.Restore()
	if err := closeBus(t, b, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	if h := health(b, "redis"); h.Delivered != uint64(i+1) || h.DroppedTotal() != 0 {
		t.Errorf("after the freeze: %+v (emitted %d)", h, i+1)
	}
	t.Logf("%d events emitted while frozen, slowest Emit %v", i, slowest)
}

// TestOverflowWhileRedisIsDown fills a small buffer behind an open circuit:
// exactly the overflow is dropped, by policy, and exactly the buffer is
// delivered, in order, once Redis is back.
func TestOverflowWhileRedisIsDown(t *testing.T) {
	const buffer, extra = 100, 30
	cases := []struct {
		policy sinks.Overflow
		first  int // the first event delivered; the next buffer-1 follow in order
	}{
		{sinks.DropOldest, extra},
		{sinks.DropNewest, 0},
	}
	for _, c := range cases {
		t.Run(c.policy.String(), func(t *testing.T) {
			r := newRedis(t)
			proxy := faultproxy.New(t, r.addr)
			opts := quickRecovery
			opts.BufferSize, opts.BatchSize, opts.Overflow = buffer, 10, c.policy
			opts.Breaker.RecoveryTimeout = time.Second
			b := newBus(t, r.sink(t, "redis://"+proxy.Addr(), opts))

			proxy.Cut()
			b.Emit(events.Event{EventType: "step", Operation: "0"}) // fails until the circuit opens
			waitFor(t, "the circuit to open", func() bool { return health(b, "redis").Circuit == supervisor.Open })
			for i := 1; i < buffer+extra; i++ {
				b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
			}
			// Received counts an event once the router hands it over; the
			// host takes it from its inbox (and applies the overflow policy)
			// a moment later, so wait for that.
			waitFor(t, "every event to reach the host's buffer", func() bool {
				h := health(b, "redis")
				return h.Received == buffer+extra && h.Dropped["overflow"] == extra
			})
			if h := health(b, "redis"); h.Dropped["overflow"] != extra || h.Buffered != buffer {
				t.Fatalf("while down: %+v", h)
			}
			proxy.Restore()
			var ce *bus.CloseError
			if err := closeBus(t, b, 30*time.Second); !errors.As(err, &ce) || ce.Total() != extra || ce.Lost["redis"][sinks.DropOverflow] != extra {
				t.Fatalf("Close = %v, want the %d overflowed events reported", err, extra)
			}
			got := r.readAll(t)
			if len(got) != buffer {
				t.Fatalf("delivered %d events, want %d", len(got), buffer)
			}
			for i, ev := range got {
				if ev.Operation != fmt.Sprint(c.first+i) {
					t.Fatalf("delivered[%d] = %s, want %d", i, ev.Operation, c.first+i)
				}
			}
		})
	}
}

// TestCloseWhileRedisIsDown returns by its deadline and says what it could
// not deliver; goleak in TestMain proves nothing is left running.
func TestCloseWhileRedisIsDown(t *testing.T) {
	r := newRedis(t)
	proxy := faultproxy.New(t, r.addr)
	b := newBus(t, r.sink(t, "redis://"+proxy.Addr(), quickRecovery))
	proxy.Cut()
	for i := range 50 {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Close(ctx)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || ce.Lost["redis"][sinks.DropUndelivered] != 50 || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Close took %v with a 500ms deadline", took)
	}
	if h := health(b, "redis"); h.Dropped["undelivered_at_close"] != 50 || h.Buffered != 0 {
		t.Errorf("health = %+v", h)
	}
}

// TestCloseInterruptsAFrozenWrite: with Redis frozen and a pipeline in
// flight when Close's deadline passes, Close interrupts that Write (the
// connection is dropped rather than left to its 5 s timeout), returns on
// time, and leaves no goroutine of the bus or of go-redis behind. The
// events of that Write are counted unconfirmed (the server may have them),
// the rest undelivered, and no event counted undelivered ever lands.
func TestCloseInterruptsAFrozenWrite(t *testing.T) {
	r := newRedis(t)
	proxy := faultproxy.New(t, r.addr)
	opts := quickRecovery
	opts.BatchSize = 10
	opts.WriteTimeout = 5 * time.Second
	b := newBus(t, r.sink(t, "redis://"+proxy.Addr(), opts))
	b.Emit(events.Event{Operation: "warm-up"})
	if err := b.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	proxy.Freeze()
	for i := range 50 {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	waitFor(t, "a Write in flight", func() bool { return health(b, "redis").Received == 51 })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := b.Close(ctx)
	took := time.Since(start)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v", err)
	}
	lost := ce.Lost["redis"]
	if lost[sinks.DropUnconfirmed] != 10 || lost[sinks.DropUndelivered] != 40 {
		t.Errorf("lost = %v, want the batch in flight (10) unconfirmed and the other 40 undelivered", lost)
	}
	if took > 300*time.Millisecond+time.Second {
		t.Errorf("Close took %v with a 300ms deadline: the frozen Write was not interrupted", took)
	}
	// Nothing of the bus is left running while Redis is still frozen (the
	// proxy's own goroutines aside).
	goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreAnyFunction("github.com/streamll/streamll-go/internal/faultproxy.(*pump).read"),
		goleak.IgnoreAnyFunction("github.com/streamll/streamll-go/internal/faultproxy.(*pump).write"),
		goleak.IgnoreAnyFunction("github.com/streamll/streamll-go/internal/faultproxy.(*Proxy).accept"))
	proxy.Restore()
	landed := r.readAll(t)
	for _, ev := range landed[1:] {
		var i int
		fmt.Sscan(ev.Operation, &i)
		if i >= 10 {
			t.Errorf("event %d landed although it was counted undelivered", i)
		}
	}
}
