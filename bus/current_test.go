package bus_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

type unrelatedKey struct{}

// The package-level helpers act on the execution the context carries, and
// do nothing with a context that carries none.
func TestCurrentExecution(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	ctx, ex := b.Start(context.Background(), bus.Op{Operation: "llm_call", TokenField: "reasoning"})
	bus.Token(ctx, "The answer")
	bus.TokenField(ctx, "answer", " is 42")
	bus.Emit(ctx, "docs_found", map[string]any{"count": 3})
	bus.EndWith(ctx, map[string]any{events.KeyGenAIUsageOutputTokens: 2}, nil)
	bus.End(ctx, errors.New("ignored: the execution has ended"))

	_, other := b.Start(context.Background(), bus.Op{Operation: "retrieval"})
	otherCtx := context.WithValue(context.Background(), unrelatedKey{}, 1) // carries no execution
	bus.Token(otherCtx, "lost")
	bus.Emit(otherCtx, "nothing", nil)
	bus.End(otherCtx, nil)
	bus.EndWith(otherCtx, nil, nil)
	other.End(errors.New("boom"))

	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range f.events() {
		row := fmt.Sprintf("%s:%s", ev.EventType, ev.Operation)
		switch ev.EventType {
		case events.TypeToken:
			row += fmt.Sprintf(":%v:%v:%v", ev.Data[events.KeyField], ev.Data[events.KeyTokenIndex], ev.Data[events.KeyToken])
		case events.TypeEnd:
			row += fmt.Sprintf(":%v", ev.Data[events.KeyGenAIUsageOutputTokens])
		case "docs_found":
			row += fmt.Sprintf(":%v", ev.Data["count"])
		}
		if ev.ExecutionID != ex.ID() && ev.ExecutionID != other.ID() {
			t.Errorf("event %s is in execution %q, neither of the two started", row, ev.ExecutionID)
		}
		got = append(got, row)
	}
	want := strings.Join([]string{
		"start:llm_call",
		"token:llm_call:reasoning:0:The answer",
		"token:llm_call:answer:1: is 42",
		"docs_found:llm_call:3",
		"end:llm_call:2",
		"start:retrieval",
		"error:retrieval",
	}, "\n")
	if g := strings.Join(got, "\n"); g != want {
		t.Errorf("events:\n%s\nwant:\n%s", g, want)
	}
}

// Every sibling of Instrument makes each call an execution, passes its
// context on (the package-level helpers reach it) and its result and error
// back, and ends it with an error event when the function fails.
func TestInstrumentShapes(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	op := func(name string) bus.Op { return bus.Op{Module: "Shapes", Operation: name} }
	fail := errors.New("failed")
	body := func(ctx context.Context, ok bool) error {
		bus.Token(ctx, "tok")
		if !ok {
			return fail
		}
		return nil
	}

	noInput := bus.InstrumentNoInput(b, op("no_input"), func(ctx context.Context) (string, error) {
		return "result", body(ctx, true)
	})
	noResult := bus.InstrumentNoResult(b, op("no_result"), body)
	plain := bus.InstrumentFunc(b, op("func"), func(ctx context.Context) error { return body(ctx, false) })
	two := bus.Instrument2(b, op("two"), func(ctx context.Context, a, c int) (int, error) {
		return a + c, body(ctx, true)
	})

	ctx := context.Background()
	if got, err := noInput(ctx); got != "result" || err != nil {
		t.Errorf("InstrumentNoInput's function returned %q, %v", got, err)
	}
	if err := noResult(ctx, false); !errors.Is(err, fail) {
		t.Errorf("InstrumentNoResult's function returned %v", err)
	}
	if err := plain(ctx); !errors.Is(err, fail) {
		t.Errorf("InstrumentFunc's function returned %v", err)
	}
	if got, err := two(ctx, 2, 3); got != 5 || err != nil {
		t.Errorf("Instrument2's function returned %d, %v", got, err)
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range f.events() {
		got = append(got, string(ev.EventType)+":"+ev.Operation)
	}
	want := "start:no_input token:no_input end:no_input start:no_result token:no_result error:no_result " +
		"start:func token:func error:func start:two token:two end:two"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("events:\n%s\nwant:\n%s", g, want)
	}
}

// With a nil bus, the siblings trace on the bus of the caller's execution.
func TestInstrumentShapesFollowTheContext(t *testing.T) {
	f := newFake()
	b := newBus(t, f)
	inner := bus.InstrumentFunc(nil, bus.Op{Operation: "inner"}, func(context.Context) error { return nil })
	ctx, outer := b.Start(context.Background(), bus.Op{Operation: "outer"})
	if err := inner(ctx); err != nil {
		t.Fatal(err)
	}
	outer.End(nil)
	if err := inner(context.Background()); err != nil { // no bus at all: untraced
		t.Fatal(err)
	}
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	evs := f.events()
	if len(evs) != 4 || evs[1].Operation != "inner" || evs[1].ParentID != outer.ID() {
		t.Errorf("events %+v, want inner nested in outer and nothing else", evs)
	}
}
