package dashboard

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
)

var t0 = time.Date(2026, 11, 26, 16, 31, 42, 0, time.UTC)

func ev(id, parent string, typ events.Type, at time.Duration, data map[string]any) *events.Event {
	return &events.Event{EventID: events.NewID(), ExecutionID: id, ParentID: parent, Timestamp: t0.Add(at),
		ModuleName: "ChatBot", MethodName: "forward", EventType: typ, Operation: "llm_call", Data: data,
		Tags: map[string]string{"customer_id": "c-42"}}
}

func clock() func() time.Time { return func() time.Time { return t0.Add(time.Second) } }

// TestStateExecution follows one LLM call from start to end.
func TestStateExecution(t *testing.T) {
	s := newState(10, clock())
	s.add(ev("root", "", events.TypeStart, 0, map[string]any{events.KeyGenAIRequestModel: "m-1"}))
	s.add(ev("root", "", events.TypeToken, 150*time.Millisecond, map[string]any{events.KeyToken: "Hel"}))
	s.add(ev("root", "", events.TypeToken, 160*time.Millisecond, map[string]any{events.KeyToken: "lo"}))
	d := s.takeDelta(1)
	if len(d.Executions) != 1 || d.Executions[0].Tokens != "Hello" || d.Executions[0].TTFT != 150 || d.Executions[0].Status != "running" {
		t.Fatalf("first delta: %+v", d.Executions[0])
	}
	s.add(ev("root", "", events.TypeToken, 170*time.Millisecond, map[string]any{events.KeyToken: " world"}))
	s.add(ev("root", "", events.TypeEnd, time.Second, map[string]any{events.KeyDurationSeconds: 1.0,
		events.KeyGenAIUsageInputTokens: 12.0, events.KeyGenAIUsageOutputTokens: 3.0}))
	d = s.takeDelta(2)
	x := d.Executions[0]
	if x.Tokens != " world" || x.TokenCount != 3 || x.Duration != 1000 || x.In != 12 || x.Out != 3 || x.Status != "ok" || x.Model != "m-1" {
		t.Errorf("second delta sends %+v", x)
	}
	if x.Tags != nil {
		t.Errorf("tags sent again: %v", x.Tags)
	}
	u := d.Usage["customer_id"]
	if len(u) != 1 || u[0] != (usage{Value: "c-42", Executions: 1, In: 12, Out: 3, Tokens: 3}) {
		t.Errorf("usage = %+v", u)
	}
	if d.Totals != (totals{Events: 5, Executions: 1, Tokens: 3}) {
		t.Errorf("totals = %+v", d.Totals)
	}
	if d.FirstTS != t0.Add(170*time.Millisecond).UnixMilli() || d.LastTS != t0.Add(time.Second).UnixMilli() {
		t.Errorf("delta event times %d..%d", d.FirstTS, d.LastTS)
	}
	if s.takeDelta(3) != nil {
		t.Error("a delta with nothing new")
	}
	snap := s.snapshot(3)
	if snap.Executions[0].Tokens != "Hello world" {
		t.Errorf("snapshot text %q", snap.Executions[0].Tokens)
	}
}

// TestStateShedding: executions evicted before any page saw them are
// counted; those seen are sent as removed; token text goes out for a few
// executions per delta and the rest follows, in order.
func TestStateShedding(t *testing.T) {
	s := newState(3, clock())
	for i := range 5 {
		s.add(ev(fmt.Sprint("e", i), "", events.TypeStart, 0, nil))
	}
	d := s.takeDelta(1)
	if d.Shed.Executions != 2 || len(d.Executions) != 3 || d.Executions[0].ID != "e2" {
		t.Fatalf("shed %+v, sent %d starting with %s", d.Shed, len(d.Executions), d.Executions[0].ID)
	}
	s.add(ev("e5", "", events.TypeStart, 0, nil))
	if d := s.takeDelta(2); len(d.Removed) != 1 || d.Removed[0] != "e2" {
		t.Errorf("removed = %v, want e2", d.Removed)
	}

	s = newState(100, clock())
	s.maxTokenRows = 2
	for i := range 5 {
		s.add(ev(fmt.Sprint("x", i), "", events.TypeToken, 0, map[string]any{events.KeyToken: "a"}))
	}
	for i := range 5 {
		s.add(ev(fmt.Sprint("x", i), "", events.TypeToken, 0, map[string]any{events.KeyToken: "b"}))
	}
	text := map[string]string{}
	for seq := uint64(1); seq <= 3; seq++ {
		d := s.takeDelta(seq)
		if len(d.Executions) > 2 {
			t.Errorf("delta %d carries text of %d executions, want at most 2", seq, len(d.Executions))
		}
		for _, x := range d.Executions {
			text[x.ID] += x.Tokens
		}
		if seq == 1 && d.Shed.Sampled != 1 {
			t.Errorf("shed = %+v, want one sampled delta", d.Shed)
		}
	}
	for i := range 5 {
		if got := text[fmt.Sprint("x", i)]; got != "ab" {
			t.Errorf("x%d's text arrived as %q, want ab", i, got)
		}
	}
}

func TestStateTokenTextLimit(t *testing.T) {
	s := newState(10, clock())
	long := strings.Repeat("é", maxTokenText) // two bytes each
	s.add(ev("x", "", events.TypeToken, 0, map[string]any{events.KeyToken: long}))
	s.add(ev("x", "", events.TypeToken, 0, map[string]any{events.KeyToken: "more"}))
	d := s.takeDelta(1)
	x := d.Executions[0]
	if !x.Truncated || !strings.HasSuffix(x.Tokens, "é…") || len(x.Tokens) > maxTokenText+len("…") || d.Shed.TokenText != 2 {
		t.Errorf("truncated %v, %d bytes, shed %+v", x.Truncated, len(x.Tokens), d.Shed)
	}
}

func TestStateErrors(t *testing.T) {
	s := newState(10, clock())
	s.add(ev("a", "", events.TypeStart, 0, nil))
	s.add(ev("a", "", events.TypeEnd, 0, nil))
	s.add(ev("b", "", events.TypeStart, 0, nil))
	s.add(ev("b", "", events.TypeError, 0, map[string]any{events.KeyErrorType: "*net.OpError", events.KeyErrorMessage: "refused"}))
	d := s.takeDelta(1)
	if *d.ErrorRate != (errorRate{Window: errorWindow, Ended: 2, Failed: 1}) {
		t.Errorf("error rate = %+v", d.ErrorRate)
	}
	if len(d.Errors) != 1 || d.Errors[0].Message != "refused" || d.Errors[0].Execution != "b" {
		t.Errorf("errors = %+v", d.Errors)
	}
	for _, x := range d.Executions {
		if x.ID == "b" && (x.Status != "error" || x.Error != "*net.OpError: refused") {
			t.Errorf("b = %+v", x)
		}
	}
	if d.Usage["customer_id"][0].Errors != 1 {
		t.Errorf("usage = %+v", d.Usage)
	}
}

// TestStateBounded: a long run of new executions keeps memory at the limit.
func TestStateBounded(t *testing.T) {
	s := newState(50, clock())
	for i := range 20000 {
		s.add(ev(fmt.Sprint("e", i), "", events.TypeStart, 0, nil))
		if i%100 == 0 {
			s.takeDelta(uint64(i))
		}
	}
	if len(s.execs) != 50 || len(s.order) != 50 || cap(s.order) > 200 {
		t.Errorf("%d executions, order len %d cap %d", len(s.execs), len(s.order), cap(s.order))
	}
}
