package bus_test

import (
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/capture"
	"github.com/streamll/streamll-go/events"
)

// TestTransformIsPerSink: a capture policy on one sink masks what that sink
// gets, while another sink gets the original; a transform that panics or
// returns nil drops the event for its sink alone, counted, and never lets
// the original through.
func TestTransformIsPerSink(t *testing.T) {
	mask, err := capture.Policy{Mask: []capture.Mask{capture.Email}}.Transform()
	if err != nil {
		t.Fatal(err)
	}
	raw, masked, picky := newFake(), newFake(), newFake()
	b := newBus(t, sinks.WithOptions(raw, sinks.Options{Name: "raw"}),
		sinks.WithOptions(masked, sinks.Options{Name: "masked", Transform: mask}),
		sinks.WithOptions(picky, sinks.Options{Name: "picky", Transform: func(ev *events.Event) *events.Event {
			switch ev.Operation {
			case "boom":
				panic("transform bug")
			case "skip":
				return nil
			}
			return ev
		}}))
	b.Emit(events.Event{EventType: "end", Operation: "reply", Data: map[string]any{"completion": "write to ana@example.com"}})
	b.Emit(events.Event{EventType: "x", Operation: "boom"})
	b.Emit(events.Event{EventType: "x", Operation: "skip"})
	wantLost(t, closeBus(t, b), lost("picky", sinks.DropTransform, 2))
	if got := raw.events()[0].Data["completion"]; got != "write to ana@example.com" {
		t.Errorf("the raw sink got %q: the shared event was changed", got)
	}
	if got := masked.events()[0].Data["completion"].(string); strings.Contains(got, "ana@example.com") {
		t.Errorf("the masked sink got %q", got)
	}
	if n := len(picky.events()); n != 1 {
		t.Errorf("picky sink got %d events, want 1", n)
	}
}
