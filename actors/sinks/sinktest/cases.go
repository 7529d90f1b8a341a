package sinktest

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// cases lists the suite, in the order Run runs it.
var cases = []struct {
	name string
	run  func(t *testing.T, s suite)
}{
	{"Delivery", testDelivery},
	{"Order", testOrder},
	{"BatchBoundaries", testBatchBoundaries},
	{"CloseFlushes", testCloseFlushes},
	{"CloseIdempotent", testCloseIdempotent},
	{"WriteAfterClose", testWriteAfterClose},
	{"CancelledContext", testCancelledContext},
	{"UnserializableData", testUnserializableData},
	{"NoGoroutineLeak", testNoGoroutineLeak},
}

// testDelivery: one batch of every kind of event arrives with every wire field.
func testDelivery(t *testing.T, s suite) {
	sink := s.newSink(t)
	want := s.events(12, "delivery")
	s.write(t, sink, want)
	s.expect(t, sink, want)
	s.close(t, sink)
}

// testOrder: batches arrive in the order they were written, and so do the
// events inside each.
func testOrder(t *testing.T, s suite) {
	const batches, size = 20, 50
	sink := s.newSink(t)
	want := s.events(batches*size, "order")
	for b := range batches {
		s.write(t, sink, want[b*size:(b+1)*size])
	}
	s.expect(t, sink, want)
	s.close(t, sink)
}

// testBatchBoundaries: the smallest, empty and large batches.
func testBatchBoundaries(t *testing.T, s suite) {
	// An empty batch must deliver nothing; a marker written after it proves
	// that without waiting for something not to happen.
	empty := []struct {
		name  string
		batch []*events.Event
	}{
		{"NilBatch", nil},
		{"EmptyBatch", []*events.Event{}},
	}
	for _, c := range empty {
		t.Run(c.name, func(t *testing.T) {
			sink := s.newSink(t)
			s.write(t, sink, c.batch)
			marker := s.events(1, "after-empty")
			s.write(t, sink, marker)
			s.expect(t, sink, marker)
			s.close(t, sink)
		})
	}
	sized := []struct {
		name string
		n    int
	}{
		{"SingleEvent", 1},
		{"LargeBatch", 2000},
	}
	for _, c := range sized {
		t.Run(c.name, func(t *testing.T) {
			sink := s.newSink(t)
			want := s.events(c.n, "batch")
			s.write(t, sink, want)
			s.expect(t, sink, want)
			s.close(t, sink)
		})
	}
}

// testCloseFlushes: once Close returns, everything written has arrived.
func testCloseFlushes(t *testing.T, s suite) {
	sink := s.newSink(t)
	want := s.events(100, "flush")
	s.write(t, sink, want)
	s.close(t, sink)
	s.expect(t, sink, want)
}

// testCloseIdempotent: a second Close returns nil.
func testCloseIdempotent(t *testing.T, s suite) {
	sink := s.newSink(t)
	s.write(t, sink, s.events(1, "idempotent"))
	s.close(t, sink)
	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Close(ctx); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// testWriteAfterClose: Write after Close fails with ErrClosed and delivers
// nothing.
func testWriteAfterClose(t *testing.T, s suite) {
	sink := s.newSink(t)
	before := s.events(1, "before-close")
	s.write(t, sink, before)
	s.close(t, sink)

	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Write(ctx, s.events(3, "after-close")); !errors.Is(err, sinks.ErrClosed) {
		t.Errorf("Write after Close = %v, want an error matching sinks.ErrClosed", err)
	}
	// Write is synchronous: anything it delivered has arrived by now, so
	// reading exactly the event written before Close proves nothing followed.
	if d := diff(before, s.received(t, sink, len(before)), s.h.Features); d != "" {
		t.Error(d)
	}
}

// testCancelledContext: Write with a cancelled context returns promptly; nil
// means delivered, as always; and the sink still works afterwards.
func testCancelledContext(t *testing.T, s suite) {
	sink := s.newSink(t)
	first := s.events(5, "cancelled")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	done := make(chan error, 1)
	go func() { done <- sink.Write(ctx, first) }()
	wait, stop := s.context(t)
	defer stop()
	var err error
	select {
	case err = <-done:
	case <-wait.Done():
		t.Fatalf("Write with a cancelled context did not return within %v", s.timeout)
	}
	t.Logf("Write with a cancelled context returned %v", err)

	second := s.events(5, "after-cancel")
	s.write(t, sink, second)
	if err == nil {
		s.expect(t, sink, append(first, second...))
	} else {
		// Some of first may have arrived before the cancellation was noticed;
		// what matters is that second arrives, whole and in order, at the end.
		got := s.receivedEndingWith(t, sink, second, len(first)+len(second))
		if d := diff(second, tail(got, len(second)), s.h.Features); d != "" {
			t.Errorf("the batch written after the cancelled Write: %s", d)
		}
	}
	s.close(t, sink)
}

// receivedEndingWith waits, at most one timeout, until the destination's
// events end with want or number most, and returns them.
func (s suite) receivedEndingWith(t *testing.T, sink sinks.Sink, want []*events.Event, most int) []events.Event {
	ctx, cancel := s.context(t)
	defer cancel()
	got := s.h.Received(ctx, t, sink, len(want))
	for len(got) < most && ctx.Err() == nil && diff(want, tail(got, len(want)), s.h.Features) != "" {
		got = s.h.Received(ctx, t, sink, len(got)+1)
	}
	return got
}

// tail returns the last n events of evs (all of them if there are fewer).
func tail(evs []events.Event, n int) []events.Event {
	return evs[max(0, len(evs)-n):]
}

// testUnserializableData: values JSON cannot carry do not stop the event; a
// consumer sees placeholder strings in their place.
func testUnserializableData(t *testing.T, s suite) {
	if s.h.Features.TypeAndOperationOnly {
		t.Skip("the driver cannot show Data (Features.TypeAndOperationOnly)")
	}
	sink := s.newSink(t)
	cycle := map[string]any{"name": "loop"}
	cycle["self"] = cycle
	ev := s.events(1, "unsupported")[0]
	ev.Data = map[string]any{
		"ok":    "yes",
		"nan":   math.NaN(),
		"inf":   math.Inf(1),
		"chan":  make(chan int),
		"func":  func() {},
		"cycle": cycle,
	}
	s.write(t, sink, []*events.Event{ev})
	got := s.received(t, sink, 1)
	if len(got) != 1 {
		t.Fatalf("received %d events, want 1", len(got))
	}
	// Read the event as a consumer on the wire would.
	v, err := decodeJSON(events.AppendJSON(nil, &got[0]))
	if err != nil {
		t.Fatalf("the received event does not encode to valid JSON: %v", err)
	}
	wire, _ := v.(map[string]any)
	if wire["event_id"] != ev.EventID {
		t.Errorf("event_id = %v, want %s", wire["event_id"], ev.EventID)
	}
	data, _ := wire["data"].(map[string]any)
	if data["ok"] != "yes" {
		t.Errorf(`data["ok"] = %v, want "yes": a serializable value next to bad ones was lost`, data["ok"])
	}
	for _, key := range []string{"nan", "inf", "chan", "func"} {
		if s, ok := data[key].(string); !ok || !strings.HasPrefix(s, events.Unsupported) {
			t.Errorf("data[%q] = %#v, want a string starting with %q", key, data[key], events.Unsupported)
		}
	}
	if !holdsPlaceholder(data["cycle"]) {
		t.Errorf(`data["cycle"] = %#v, want a %q placeholder where the cycle closes`, data["cycle"], events.Unsupported)
	}
	s.close(t, sink)
}

// holdsPlaceholder reports whether v is, or contains, a placeholder string.
func holdsPlaceholder(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.HasPrefix(v, events.Unsupported)
	case map[string]any:
		for _, e := range v {
			if holdsPlaceholder(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if holdsPlaceholder(e) {
				return true
			}
		}
	}
	return false
}

// testNoGoroutineLeak: New, Write and Close leave no goroutine behind. The
// check runs last among t's cleanups, after the harness has released its
// destination and any client it owns.
func testNoGoroutineLeak(t *testing.T, s suite) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	sink := s.newSink(t)
	s.write(t, sink, s.events(10, "leak"))
	s.close(t, sink)
}
