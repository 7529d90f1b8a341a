package bus_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestNestedExecutions(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	ctx, outer := b.Start(context.Background(), bus.Op{Operation: "forward", Module: "ChatBot", Method: "forward",
		Tags: map[string]string{"customer_id": "c-42", "env": "test"}, Data: map[string]any{"question": "why?"}})
	inner1Ctx, inner := b.Start(ctx, bus.Op{Operation: "retrieval", Tags: map[string]string{"env": "override"}})
	_, deepest := bus.Start(inner1Ctx, bus.Op{Operation: "embed"}) // package-level Start follows ctx's bus
	deepest.End(nil)
	inner.Emit("docs_found", map[string]any{"count": 3})
	inner.End(nil)
	outer.Token("The answer")
	outer.Token(" is 42")
	outer.End(errors.New("boom"))
	outer.End(nil) // ignored: End is idempotent
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}

	got := f.events()
	type row struct {
		typ      events.Type
		op, exec string
		parent   string
		module   string
		customer string
		env      string
	}
	want := []row{
		{events.TypeStart, "forward", outer.ID(), "", "ChatBot", "c-42", "test"},
		{events.TypeStart, "retrieval", inner.ID(), outer.ID(), "ChatBot", "c-42", "override"},
		{events.TypeStart, "embed", deepest.ID(), inner.ID(), "ChatBot", "c-42", "override"},
		{events.TypeEnd, "embed", deepest.ID(), inner.ID(), "ChatBot", "c-42", "override"},
		{"docs_found", "retrieval", inner.ID(), outer.ID(), "ChatBot", "c-42", "override"},
		{events.TypeEnd, "retrieval", inner.ID(), outer.ID(), "ChatBot", "c-42", "override"},
		{events.TypeToken, "forward", outer.ID(), "", "ChatBot", "c-42", "test"},
		{events.TypeToken, "forward", outer.ID(), "", "ChatBot", "c-42", "test"},
		{events.TypeError, "forward", outer.ID(), "", "ChatBot", "c-42", "test"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d", len(got), len(want))
	}
	for i, w := range want {
		ev := got[i]
		g := row{ev.EventType, ev.Operation, ev.ExecutionID, ev.ParentID, ev.ModuleName, ev.Tags["customer_id"], ev.Tags["env"]}
		if g != w {
			t.Errorf("event %d = %+v, want %+v", i, g, w)
		}
	}
	if got[0].Data["question"] != "why?" || got[0].MethodName != "forward" {
		t.Errorf("start event = %+v", got[0])
	}
	if got[4].Data["count"] != 3 {
		t.Errorf("custom event data = %v", got[4].Data)
	}
	tok := got[7].Data
	if tok[events.KeyToken] != " is 42" || tok[events.KeyTokenIndex] != int64(1) || tok[events.KeyField] != "answer" {
		t.Errorf("token data = %v", tok)
	}
	end := got[8].Data
	if end[events.KeyErrorMessage] != "boom" || end[events.KeyErrorType] != "*errors.errorString" {
		t.Errorf("error data = %v", end)
	}
	if d, ok := end[events.KeyDurationSeconds].(float64); !ok || d < 0 {
		t.Errorf("duration = %v", end[events.KeyDurationSeconds])
	}
}

func TestInstrument(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	analyze := bus.Instrument(b, bus.Op{Module: "DocumentAnalyzer", Operation: "forward", Tags: map[string]string{"customer_id": "c-1"}},
		func(ctx context.Context, doc string) (int, error) {
			switch doc {
			case "bad":
				return 0, errors.New("unreadable")
			case "panic":
				panic("driver exploded")
			}
			// A nested traced call sees this execution as its parent.
			_, ex := bus.Start(ctx, bus.Op{Operation: "llm_call"})
			ex.End(nil)
			return len(doc), nil
		})

	n, err := analyze(context.Background(), "hello")
	if n != 5 || err != nil {
		t.Fatalf("analyze = %d, %v", n, err)
	}
	if _, err := analyze(context.Background(), "bad"); err == nil || err.Error() != "unreadable" {
		t.Fatalf("error not passed through: %v", err)
	}
	func() {
		defer func() {
			if r := recover(); r != "driver exploded" {
				t.Errorf("panic not re-raised: %v", r)
			}
		}()
		analyze(context.Background(), "panic")
	}()
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	var seq []string
	for _, ev := range f.events() {
		seq = append(seq, string(ev.EventType)+":"+ev.Operation)
		if ev.Tags["customer_id"] != "c-1" || ev.ModuleName != "DocumentAnalyzer" {
			t.Errorf("event lost module or tags: %+v", ev)
		}
	}
	want := "[start:forward start:llm_call end:llm_call end:forward start:forward error:forward start:forward error:forward]"
	if got := "[" + strings.Join(seq, " ") + "]"; got != want {
		t.Errorf("events = %s\nwant     %s", got, want)
	}
	evs := f.events()
	if evs[2].ParentID != evs[0].ExecutionID {
		t.Errorf("nested call's parent = %q, want %q", evs[2].ParentID, evs[0].ExecutionID)
	}
	if last := evs[len(evs)-1].Data; last[events.KeyErrorMessage] != "panic: driver exploded" || last["panic"] != true {
		t.Errorf("panic event data = %v", last)
	}
}

func TestDefaultBus(t *testing.T) {
	f := newFake()
	b, err := bus.Configure(bus.Config{Sinks: []sinks.Sink{f}})
	if err != nil {
		t.Fatal(err)
	}
	defer bus.SetDefault(nil)
	if bus.Default() != b {
		t.Fatal("Configure did not set the default bus")
	}
	bus.Default().Emit(events.Event{EventType: "direct"})
	_, ex := bus.Start(context.Background(), bus.Op{Operation: "op"})
	ex.End(nil)
	traced := bus.Instrument(nil, bus.Op{Operation: "wrapped"}, func(context.Context, int) (int, error) { return 1, nil })
	traced(context.Background(), 0)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	if n := len(f.events()); n != 5 {
		t.Errorf("default bus delivered %d events, want 5", n)
	}
}

// An end or error event that reports token usage also carries "tokens", the
// total the Python streamll's consumers sum (event['data'].get('tokens', 0)),
// unless the caller gave one; the caller's map is left as it was.
func TestEndWithAddsTokens(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	cases := []struct {
		name string
		data map[string]any
		err  error
		want any // nil: no "tokens"
	}{
		{"input and output", map[string]any{events.KeyGenAIUsageInputTokens: 15, events.KeyGenAIUsageOutputTokens: 13}, nil, int64(28)},
		{"output only, int64", map[string]any{events.KeyGenAIUsageOutputTokens: int64(7)}, nil, int64(7)},
		{"decoded JSON numbers", map[string]any{events.KeyGenAIUsageInputTokens: 3.0, events.KeyGenAIUsageOutputTokens: 4.0}, nil, int64(7)},
		{"on an error event", map[string]any{events.KeyGenAIUsageInputTokens: 9}, errors.New("cut off"), int64(9)},
		{"the caller's own total wins", map[string]any{events.KeyGenAIUsageInputTokens: 1, events.KeyTokens: 100}, nil, 100},
		{"no usage", map[string]any{"answer": "42"}, nil, nil},
		{"usage that is not a count", map[string]any{events.KeyGenAIUsageInputTokens: "many", events.KeyGenAIUsageOutputTokens: 2.5}, nil, nil},
	}
	for _, c := range cases {
		_, ex := b.Start(context.Background(), bus.Op{Operation: c.name})
		ex.EndWith(c.data, c.err)
		if _, ok := c.data[events.KeyTokens]; ok != (c.name == "the caller's own total wins") {
			t.Errorf("%s: EndWith modified the caller's map: %v", c.name, c.data)
		}
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	ends := map[string]*events.Event{}
	for _, ev := range f.events() {
		if ev.EventType == events.TypeEnd || ev.EventType == events.TypeError {
			ends[ev.Operation] = &ev
		}
	}
	for _, c := range cases {
		ev := ends[c.name]
		if ev == nil {
			t.Fatalf("%s: no end event", c.name)
		}
		got, ok := ev.Data[events.KeyTokens]
		if c.want == nil {
			if ok {
				t.Errorf("%s: tokens = %v, want none", c.name, got)
			}
			continue
		}
		if got != c.want {
			t.Errorf("%s: tokens = %v (%T), want %v (%T)", c.name, got, got, c.want, c.want)
		}
	}
}
