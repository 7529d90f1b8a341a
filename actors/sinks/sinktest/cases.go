package sinktest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// rule is what a case checks, quoted from the documentation that states it,
// so that a failing driver's author learns the rule and not only the case.
type rule struct {
	doc    string   // where it is stated: "sinks.Sink", "package events"
	quotes []string // sentences of it, word for word
}

func (r rule) explain() string {
	return fmt.Sprintf("the rule this case checks (%s): %q", r.doc, strings.Join(r.quotes, " […] "))
}

func sinkRule(quotes ...string) rule { return rule{doc: "sinks.Sink", quotes: quotes} }

// cases lists the suite, in the order Run runs it.
var cases = []struct {
	name string
	rule rule
	run  func(t *testing.T, s suite)
}{
	{"Delivery", sinkRule("Write delivers batch, in order. It returns nil when every event was delivered."), testDelivery},
	{"Order", sinkRule("Write delivers batch, in order."), testOrder},
	{"BatchBoundaries", sinkRule("An empty (or nil) batch delivers nothing and returns nil."), testBatchBoundaries},
	{"CloseFlushes", sinkRule("Close flushes what the sink holds and releases its resources."), testCloseFlushes},
	{"CloseIdempotent", sinkRule("Calling it again returns nil."), testCloseIdempotent},
	{"CloseWithoutWrite", sinkRule("Close comes once per instance: after the last Write, when the bus closes; also without any Write, when no event ever reached the sink;",
		"In every case it releases what the instance holds (connections, goroutines)"), testCloseWithoutWrite},
	{"WriteAfterClose", sinkRule("an implementation makes later Writes fail with ErrClosed."), testWriteAfterClose},
	{"CancelledContext", sinkRule("Write must return promptly once ctx is done."), testCancelledContext},
	{"ResentBatch", sinkRule("So Write must tolerate events it has seen before: it delivers them again (delivery is at-least-once, and consumers de-duplicate by EventID), or recognises them, as a destination that de-duplicates by EventID does."), testResentBatch},
	{"UnserializableData", rule{doc: "package events", quotes: []string{"Encoding never fails and never panics. A value JSON cannot carry is replaced by a placeholder string starting with [Unsupported], so the event is still delivered and the problem is visible to whoever reads it"}}, testUnserializableData},
	{"NoGoroutineLeak", sinkRule("In every case it releases what the instance holds (connections, goroutines)"), testNoGoroutineLeak},
	{"Faults/CutThenRestored", sinkRule("any other error means nothing in the batch is known to be delivered, and the whole batch is retried.",
		"Write reports as delivered only what it knows was delivered;", "A batch that Write did not deliver comes back in a later Write"), testCutThenRestored},
	{"Faults/FrozenGivesUp", sinkRule("Write's context has the host's write timeout as its deadline (Options.WriteTimeout, 1s by default): it bounds the whole Write, connecting, round trip and confirms included, so a driver needs no timeout of its own for them.",
		"what it cannot tell (a timeout after the backend may have taken it) it reports undelivered, and the re-send makes a duplicate."), testFrozenGivesUp},
	{"Faults/PartialBatch", sinkRule("a *BatchError lists the events that were not delivered; the rest count as delivered and are never sent again;",
		"Index is the event's position in the batch given to the Write that returned this error: 0 is batch[0].",
		"Failed lists the undelivered events in ascending Index order, each once."), testPartialBatch},
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

// testCloseWithoutWrite: a sink closed before any Write closes cleanly and
// leaves nothing behind, and refuses Writes afterwards.
func testCloseWithoutWrite(t *testing.T, s suite) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	sink := s.newSink(t)
	s.close(t, sink)
	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Write(ctx, s.events(1, "after-close")); !errors.Is(err, sinks.ErrClosed) {
		t.Errorf("Write after a Close without Writes = %v, want an error matching sinks.ErrClosed", err)
	}
}

// testResentBatch: a batch written again, as the host writes one it could
// not see delivered, is taken without an error and delivered at least once,
// and what follows it arrives after it.
func testResentBatch(t *testing.T, s suite) {
	sink := s.newSink(t)
	first := s.events(20, "resent")
	s.write(t, sink, first)
	ctx, cancel := s.context(t)
	defer cancel()
	if err := sink.Write(ctx, first); err != nil {
		t.Errorf("Write of a batch written before = %v, want nil: the host re-sends a batch whose delivery it could not see", err)
	}
	if err := sink.Write(ctx, first[5:10]); err != nil {
		t.Errorf("Write of part of a batch written before = %v, want nil: the host re-sends the failed part of a BatchError", err)
	}
	next := s.events(5, "after-resend")
	s.write(t, sink, next)
	s.expectAtLeastOnce(t, sink, append(slices.Clone(first), next...), true)
	s.close(t, sink)
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
