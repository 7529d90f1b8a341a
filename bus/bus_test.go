package bus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func newBus(t *testing.T, ss ...sinks.Sink) *bus.Bus {
	t.Helper()
	b, err := bus.New(bus.Config{Sinks: ss})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFanOutWithFilters(t *testing.T) {
	all, errorsOnly, customer := newFake(), newFake(), newFake()
	b := newBus(t,
		all,
		sinks.WithOptions(errorsOnly, sinks.Options{Name: "alerts", Filter: sinks.Types(events.TypeError)}),
		sinks.WithOptions(customer, sinks.Options{Filter: sinks.TagEquals("customer_id", "c-42")}),
	)
	for i := range 30 {
		typ := []events.Type{events.TypeStart, events.TypeToken, events.TypeError}[i%3]
		b.Emit(events.Event{EventType: typ, Operation: fmt.Sprint(i), Tags: map[string]string{"customer_id": fmt.Sprintf("c-%d", 40+i%5)}})
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if n := len(all.events()); n != 30 {
		t.Errorf("unfiltered sink got %d events, want 30", n)
	}
	for _, ev := range errorsOnly.events() {
		if ev.EventType != events.TypeError {
			t.Errorf("alerts sink got a %q event", ev.EventType)
		}
	}
	if n := len(errorsOnly.events()); n != 10 {
		t.Errorf("alerts sink got %d events, want 10", n)
	}
	if n := len(customer.events()); n != 6 {
		t.Errorf("customer sink got %d events, want 6", n)
	}
	hs := b.Health()
	if hs[1].Name != "alerts" || hs[1].Received != 10 || hs[1].Delivered != 10 {
		t.Errorf("alerts health = %+v", hs[1])
	}
}

func TestEmitFillsIDAndTimestamp(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	before := time.Now()
	b.Emit(events.Event{EventType: "custom"})
	b.Emit(events.Event{EventID: "given", Timestamp: before.Add(-time.Hour), EventType: "custom"})
	b.Emit(events.Event{Operation: "untyped"})
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	got := f.events()
	if len(got) != 3 {
		t.Fatalf("got %d events", len(got))
	}
	if got[2].EventType != "unknown" {
		t.Errorf("an empty event type became %q, want unknown", got[2].EventType)
	}
	if len(got[0].EventID) != events.IDLength || got[0].Timestamp.Before(before) {
		t.Errorf("first event not filled in: %+v", got[0])
	}
	if got[1].EventID != "given" || !got[1].Timestamp.Equal(before.Add(-time.Hour)) {
		t.Errorf("second event was altered: %+v", got[1])
	}
}

// TestTimestampIsWhenEmitted: Emit takes only a monotonic reading and the
// router makes the wall-clock time when it routes the event, a linger
// later. The time must still be when Emit was called, without a monotonic
// reading (so that it compares and encodes as the wire format has it).
func TestTimestampIsWhenEmitted(t *testing.T) {
	f := newFake()
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{f}, Linger: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	b.Emit(events.Event{EventType: "custom"})
	after := time.Now()
	time.Sleep(100 * time.Millisecond) // the router is lingering meanwhile
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	got := f.events()
	if len(got) != 1 {
		t.Fatalf("got %d events", len(got))
	}
	ts := got[0].Timestamp
	if ts.Before(before.Round(0)) || ts.After(after.Round(0)) {
		t.Errorf("timestamp %v is not within Emit's call [%v, %v]", ts, before.Round(0), after.Round(0))
	}
	if ts != ts.Round(0) {
		t.Errorf("timestamp %v keeps a monotonic reading", ts)
	}
}

func TestCloseDrainsEverythingEmittedBefore(t *testing.T) {
	slow := newFake()
	slow.behave = func(int, []*events.Event) error { time.Sleep(time.Millisecond); return nil }
	b := newBus(t, sinks.WithOptions(slow, sinks.Options{BatchSize: 16, BufferSize: 100000}))
	const producers, each = 4, 2000
	var wg sync.WaitGroup
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				b.Emit(events.Event{EventType: "n", Operation: fmt.Sprintf("%d-%d", p, i)})
			}
		}()
	}
	wg.Wait()
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	got := slow.events()
	if len(got) != producers*each {
		t.Fatalf("delivered %d of %d", len(got), producers*each)
	}
	// Per-producer order survives the trip.
	next := make(map[int]int)
	for _, ev := range got {
		var p, i int
		fmt.Sscanf(ev.Operation, "%d-%d", &p, &i)
		if i != next[p] {
			t.Fatalf("producer %d: got event %d, want %d", p, i, next[p])
		}
		next[p]++
	}
	if slow.closes != 1 {
		t.Errorf("sink closed %d times", slow.closes)
	}
}

func TestCloseIsIdempotentAndLaterEmitsAreCounted(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	b.Emit(events.Event{EventType: "before"})
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if err := closeBus(t, b); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	b.Emit(events.Event{EventType: "after"})
	h := b.Health()[0]
	if h.Received != 2 || h.Delivered != 1 || h.Dropped["emitted_after_close"] != 1 || h.State != sinks.Finished {
		t.Errorf("health after close = %+v", h)
	}
	if err := b.Resume(h.Name); !errors.Is(err, bus.ErrClosed) {
		t.Errorf("Resume after Close = %v, want ErrClosed", err)
	}
}

func TestCloseWhileSinkDownReturnsByDeadline(t *testing.T) {
	down := newFake()
	down.behave = func(int, []*events.Event) error { return errors.New("connection refused") }
	up := newFake()
	b := newBus(t, sinks.WithOptions(down, sinks.Options{Name: "down",
		Retry: supervisor.Retry{InitialInterval: time.Millisecond, NoJitter: true}}), up)
	for range 50 {
		b.Emit(events.Event{EventType: "x"})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := b.Close(ctx)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want a CloseError wrapping the deadline", err)
	}
	if ce.Lost["down"][sinks.DropUndelivered] != 50 {
		t.Errorf("lost = %v, want down: 50 undelivered_at_close", ce.Lost)
	}
	if len(up.events()) != 50 {
		t.Errorf("healthy sink got %d events, want 50", len(up.events()))
	}
	h := b.Health()[0]
	if h.Dropped["undelivered_at_close"] != 50 || h.Delivered != 0 || h.Buffered != 0 {
		t.Errorf("health = %+v", h)
	}
}

func TestInvalidConfig(t *testing.T) {
	cases := map[string]bus.Config{
		"nil sink":            {Sinks: []sinks.Sink{nil}},
		"negative buffer":     {Sinks: []sinks.Sink{sinks.WithOptions(newFake(), sinks.Options{BufferSize: -1})}},
		"batch beyond buffer": {Sinks: []sinks.Sink{sinks.WithOptions(newFake(), sinks.Options{BufferSize: 10, BatchSize: 20})}},
		"bad overflow":        {Sinks: []sinks.Sink{sinks.WithOptions(newFake(), sinks.Options{Overflow: 7})}},
		"bad jitter":          {Sinks: []sinks.Sink{sinks.WithOptions(newFake(), sinks.Options{Retry: supervisor.Retry{Jitter: 2}})}},
	}
	for name, cfg := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := bus.New(cfg)
			if !errors.Is(err, bus.ErrInvalidConfig) || !errors.Is(err, sinks.ErrInvalidConfig) || b != nil {
				t.Fatalf("New = %v, %v; want ErrInvalidConfig", b, err)
			}
		})
	}
}

// A sink without a name of its own is named after its position, giving way
// to the names sinks chose.
func TestSinkNamesAreUnique(t *testing.T) {
	b := newBus(t, newFake(), sinks.WithOptions(newFake(), sinks.Options{Name: "sink-0"}), newFake())
	defer closeBus(t, b)
	var names []string
	for _, h := range b.Health() {
		names = append(names, h.Name)
	}
	if fmt.Sprint(names) != "[sink-0#2 sink-0 sink-2]" {
		t.Errorf("names = %v", names)
	}
}

// placed is a sink whose driver names it and says where it writes, as the
// drivers of this module do ("redis:streamll_events" on a server).
type placed struct {
	*fake
	name, place string
}

func (p placed) Name() string        { return p.name }
func (p placed) Destination() string { return p.place }

// Two sinks are ambiguous when they were given the same name, or when the
// second writes where the first does without a name to tell it apart: the
// error names both and the fix. Sinks that only share their driver's name
// are told apart by a suffix.
func TestSinkNamesCollide(t *testing.T) {
	redis := func(server string) sinks.Sink {
		return placed{newFake(), "redis:streamll_events", server + " stream streamll_events"}
	}
	named := func(s sinks.Sink, name string) sinks.Sink { return sinks.WithOptions(s, sinks.Options{Name: name}) }
	tests := []struct {
		name  string
		sinks []sinks.Sink
		want  []string // in the error, or the names when there is none
		err   bool
	}{
		{"same destination", []sinks.Sink{newFake(), redis("redis://a"), redis("redis://a")},
			[]string{"Sinks[2] writes to redis://a stream streamll_events, as Sinks[1] does", "its own destination", "set Options.Name on Sinks[2]"}, true},
		{"same destination through WithOptions", []sinks.Sink{redis("redis://a"), sinks.WithOptions(redis("redis://a"), sinks.Options{BatchSize: 10})},
			[]string{"Sinks[1] writes to redis://a stream streamll_events, as Sinks[0] does"}, true},
		{"chosen names", []sinks.Sink{named(newFake(), "audit"), named(redis("redis://a"), "audit")},
			[]string{`Sinks[1]: Options.Name "audit" is Sinks[0]'s name too`}, true},
		{"same destination, told apart by Options.Name", []sinks.Sink{redis("redis://a"), named(redis("redis://a"), "errors")},
			[]string{"redis:streamll_events", "errors"}, false},
		{"same name, other servers", []sinks.Sink{redis("redis://a"), redis("redis://b"), redis("redis://c")},
			[]string{"redis:streamll_events", "redis:streamll_events#2", "redis:streamll_events#3"}, false},
		{"a chosen name first", []sinks.Sink{redis("redis://a"), named(newFake(), "redis:streamll_events")},
			[]string{"redis:streamll_events#2", "redis:streamll_events"}, false},
		{"sinks that do not say", []sinks.Sink{named(newFake(), ""), named(newFake(), "")},
			[]string{"sink-0", "sink-1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bus.New(bus.Config{Sinks: tt.sinks})
			if !tt.err {
				if err != nil {
					t.Fatal(err)
				}
				defer closeBus(t, b)
				var names []string
				for _, h := range b.Health() {
					names = append(names, h.Name)
				}
				if fmt.Sprint(names) != fmt.Sprint(tt.want) {
					t.Errorf("names = %v, want %v", names, tt.want)
				}
				return
			}
			if !errors.Is(err, bus.ErrInvalidConfig) || b != nil {
				t.Fatalf("New = %v, %v; want ErrInvalidConfig", b, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestNilBusAndNilExecutionAreSafe(t *testing.T) {
	var b *bus.Bus
	b.Emit(events.Event{})
	ctx, ex := b.Start(context.Background(), bus.Op{Operation: "x"})
	ex.Token("t")
	ex.Emit("custom", nil)
	ex.End(nil)
	if bus.FromContext(ctx) != nil || ex.ID() != "" {
		t.Error("nil bus produced an execution")
	}
	if err := b.Close(context.Background()); err != nil {
		t.Error(err)
	}
}
