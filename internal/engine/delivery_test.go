package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// machine drives a delivery state machine by hand, with a clock of its own.
type machine struct {
	t     *testing.T
	d     *delivery
	c     *counters
	now   time.Time
	next  int // the number of the next event to accept
	sent  int // accepted events
	trace []string
}

var t0 = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func newMachine(t *testing.T, opts sinks.Options) *machine {
	opts = opts.WithDefaults()
	c := newCounters()
	return &machine{t: t, c: c, now: t0, d: newDelivery(opts, c, slog.New(slog.DiscardHandler), t0)}
}

// accept hands the machine n new events, named e0, e1, ...
func (m *machine) accept(n int) *machine {
	for range n {
		m.d.accept(&events.Event{EventID: fmt.Sprintf("e%d", m.next)})
		m.c.received.Add(1) // the router counts what it routes
		m.next++
		m.sent++
	}
	return m
}

// write asks for the next batch and records it in the trace as
// "write[e0 e1]", or "wait 100ms" (how long until the machine can write),
// or "idle".
func (m *machine) write() *machine {
	batch, at := m.d.next(m.now)
	switch {
	case batch != nil:
		ids := make([]string, len(batch))
		for i, ev := range batch {
			ids[i] = ev.EventID
		}
		m.trace = append(m.trace, "write"+fmt.Sprint(ids))
	case !at.IsZero():
		m.trace = append(m.trace, "wait "+at.Sub(m.now).String())
	default:
		m.trace = append(m.trace, "idle")
	}
	return m
}

func (m *machine) outcome(err error) *machine { m.d.written(m.now, err); return m }
func (m *machine) ok() *machine               { return m.outcome(nil) }
func (m *machine) fail() *machine             { return m.outcome(errors.New("connection refused")) }
func (m *machine) after(d time.Duration) *machine {
	m.now = m.now.Add(d)
	return m
}

// summary is "delivered=N held=N" and every non-zero drop reason, after
// checking that every accepted event is accounted for exactly once.
func (m *machine) summary() string {
	m.t.Helper()
	delivered, dropped, held := m.c.delivered.Load(), m.c.droppedTotal(), uint64(m.d.held())
	if delivered+dropped+held != uint64(m.sent) {
		m.t.Errorf("accepted %d but delivered %d + dropped %d + held %d", m.sent, delivered, dropped, held)
	}
	parts := []string{fmt.Sprintf("delivered=%d", delivered), fmt.Sprintf("held=%d", held)}
	for _, r := range sinks.DropReasons() {
		if n := m.c.dropped[r].Load(); n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", r, n))
		}
	}
	return strings.Join(parts, " ")
}

var exact = supervisor.Retry{InitialInterval: 100 * time.Millisecond, Multiplier: 2, MaxInterval: time.Second, NoJitter: true}

func TestDelivery(t *testing.T) {
	cases := []struct {
		name  string
		opts  sinks.Options
		run   func(m *machine)
		trace string
		final string
	}{
		{
			name:  "a batch holds at most BatchSize events, oldest first",
			opts:  sinks.Options{BatchSize: 2},
			run:   func(m *machine) { m.accept(3).write().ok().write().ok().write() },
			trace: "write[e0 e1] write[e2] idle",
			final: "delivered=3 held=0",
		},
		{
			name:  "one batch in flight at a time",
			opts:  sinks.Options{BatchSize: 2},
			run:   func(m *machine) { m.accept(1).write().accept(2).write().ok().write().ok() },
			trace: "write[e0] idle write[e1 e2]",
			final: "delivered=3 held=0",
		},
		{
			name: "a failed batch is retried whole after the backoff, before newer events",
			opts: sinks.Options{BatchSize: 2, Retry: exact},
			run: func(m *machine) {
				m.accept(2).write().fail().accept(1).write().after(50 * time.Millisecond).write().
					after(50 * time.Millisecond).write().ok().write().ok()
			},
			trace: "write[e0 e1] wait 100ms wait 50ms write[e0 e1] write[e2]",
			final: "delivered=3 held=0",
		},
		{
			name: "only the failed part of a batch comes back; permanent failures are dropped",
			opts: sinks.Options{BatchSize: 4, Retry: exact},
			run: func(m *machine) {
				m.accept(4).write().outcome(&sinks.BatchError{Failed: []sinks.Failure{
					{Index: 3, Err: errors.New("later")}, {Index: 1, Err: sinks.Permanent(errors.New("too large"))},
					{Index: 2, Err: errors.New("later")}, {Index: 2, Err: errors.New("duplicate index")}, {Index: 9, Err: errors.New("out of range")},
				}}).after(time.Second).write().ok()
			},
			trace: "write[e0 e1 e2 e3] write[e2 e3]",
			final: "delivered=3 held=0 permanent_error=1",
		},
		{
			name:  "a permanent error drops the whole batch",
			opts:  sinks.Options{BatchSize: 2},
			run:   func(m *machine) { m.accept(3).write().outcome(sinks.Permanent(errors.New("rejected"))).write().ok() },
			trace: "write[e0 e1] write[e2]",
			final: "delivered=1 held=0 permanent_error=2",
		},
		{
			name: "retries run out",
			opts: sinks.Options{BatchSize: 2, Retry: supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true, MaxRetries: 1}},
			run: func(m *machine) {
				m.accept(2).write().fail().after(time.Second).write().fail().write()
			},
			trace: "write[e0 e1] write[e0 e1] idle",
			final: "delivered=0 held=0 retries_exhausted=2",
		},
		{
			name: "the breaker opens, lets exactly one probe through, and re-opens when it fails",
			opts: sinks.Options{BatchSize: 1, Retry: supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true},
				Breaker: supervisor.BreakerPolicy{FailureThreshold: 2, RecoveryTimeout: time.Second}},
			run: func(m *machine) {
				m.accept(1).write().fail().after(10 * time.Millisecond).write().fail().
					after(10 * time.Millisecond).write(). // open: waits for the probe
					after(time.Second).write().           // the probe
					write().fail().                       // nothing else while it is in flight
					after(10 * time.Millisecond).write(). // re-opened: a full recovery timeout again
					after(time.Second).write().ok().accept(1).write().ok()
			},
			trace: "write[e0] write[e0] wait 990ms write[e0] idle wait 990ms write[e0] write[e1]",
			final: "delivered=2 held=0",
		},
		{
			name:  "drop_newest keeps what is held",
			opts:  sinks.Options{BatchSize: 2, BufferSize: 3, Overflow: sinks.DropNewest},
			run:   func(m *machine) { m.accept(5).write().ok().write().ok() },
			trace: "write[e0 e1] write[e2]",
			final: "delivered=3 held=0 overflow=2",
		},
		{
			name:  "drop_oldest evicts the oldest buffered event",
			opts:  sinks.Options{BatchSize: 2, BufferSize: 3},
			run:   func(m *machine) { m.accept(5).write().ok().write().ok() },
			trace: "write[e2 e3] write[e4]",
			final: "delivered=3 held=0 overflow=2",
		},
		{
			name: "drop_oldest evicts the head of a batch that waits for a retry",
			opts: sinks.Options{BatchSize: 2, BufferSize: 3, Retry: exact},
			run: func(m *machine) {
				m.accept(2).write().fail().accept(2).after(time.Second).write().ok().write().ok()
			},
			trace: "write[e0 e1] write[e1] write[e2 e3]",
			final: "delivered=3 held=0 overflow=1",
		},
		{
			name:  "the buffer full while everything held is in flight: the new event is dropped",
			opts:  sinks.Options{BatchSize: 2, BufferSize: 2},
			run:   func(m *machine) { m.accept(2).write().accept(1).ok().write() },
			trace: "write[e0 e1] idle",
			final: "delivered=2 held=0 overflow=1",
		},
		{
			name:  "an event arriving after finish is dropped as emitted after close",
			opts:  sinks.Options{},
			run:   func(m *machine) { m.accept(1).write().ok(); m.d.finish(); m.accept(1).write() },
			trace: "write[e0] idle",
			final: "delivered=1 held=0 emitted_after_close=1",
		},
		{
			name: "abandon drops what is held but leaves a batch in flight to its outcome",
			opts: sinks.Options{BatchSize: 2},
			run: func(m *machine) {
				m.accept(3).write()
				if n := m.d.abandon(sinks.DropUndelivered); n != 1 {
					m.t.Errorf("abandon = %d, want 1", n)
				}
				m.ok()
			},
			trace: "write[e0 e1]",
			final: "delivered=2 held=0 undelivered_at_close=1",
		},
		{
			name: "a crash keeps the batch in hand, to be written first",
			opts: sinks.Options{BatchSize: 2},
			run: func(m *machine) {
				m.accept(2).write()
				m.d.crashed(m.now, &supervisor.Crash{Value: "boom"})
				m.accept(1).write().ok().write().ok()
			},
			trace: "write[e0 e1] write[e0 e1] write[e2]",
			final: "delivered=3 held=0",
		},
		{
			name: "an outcome for a batch abandoned in flight changes nothing",
			opts: sinks.Options{},
			run: func(m *machine) {
				m.accept(1).write()
				m.d.abandonInFlight(sinks.DropUndelivered)
				m.ok().write()
			},
			trace: "write[e0] idle",
			final: "delivered=0 held=0 undelivered_at_close=1",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := newMachine(t, c.opts)
			c.run(m)
			if got := strings.Join(m.trace, " "); got != c.trace {
				t.Errorf("trace:\n got %s\nwant %s", got, c.trace)
			}
			if got := m.summary(); got != c.final {
				t.Errorf("final:\n got %s\nwant %s", got, c.final)
			}
		})
	}
}

func TestDeliverySettled(t *testing.T) {
	m := newMachine(t, sinks.Options{BatchSize: 2, Retry: exact})
	if !m.d.settled(m.d.arrived, 0) {
		t.Fatal("an empty machine is not settled")
	}
	m.accept(3)
	barrier := m.d.arrived // what a flush arriving now waits for
	m.accept(1)
	steps := []struct {
		do      func()
		settled bool
	}{
		{func() { m.write() }, false},
		{func() { m.fail() }, false},
		{func() { m.after(time.Second).write().ok() }, false}, // e2 still held
		{func() { m.write().ok() }, true},                     // e2 and e3 delivered
	}
	for i, s := range steps {
		s.do()
		if got := m.d.settled(barrier, 0); got != s.settled {
			t.Fatalf("step %d: settled = %v, want %v (%s)", i, got, s.settled, m.summary())
		}
	}
}
