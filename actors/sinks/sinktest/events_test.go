package sinktest_test

import (
	"testing"

	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

// MakeExecutions' events form whole executions: each starts (or is an end
// alone), has all its events in a row but for the one nested in it, ends
// exactly once, and keeps one operation, parent and tag set.
func TestMakeExecutionsAreWhole(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 10, 12, 101} {
		evs := sinktest.MakeExecutions(n, "x")
		if len(evs) != n {
			t.Fatalf("n=%d: %d events", n, len(evs))
		}
		type exec struct {
			first      events.Type
			ends       int
			op, parent string
			tags       map[string]string
			ended      bool
		}
		execs := map[string]*exec{}
		for i, ev := range evs {
			e := execs[ev.ExecutionID]
			if e == nil {
				e = &exec{first: ev.EventType, op: ev.Operation, parent: ev.ParentID, tags: ev.Tags}
				execs[ev.ExecutionID] = e
			}
			if e.ended {
				t.Errorf("n=%d: event %d (%s) of %s comes after its end", n, i, ev.EventType, ev.ExecutionID)
			}
			if ev.Operation != e.op || ev.ParentID != e.parent || len(ev.Tags) != len(e.tags) {
				t.Errorf("n=%d: event %d changes the operation, parent or tags of its execution", n, i)
			}
			if ev.EventType == events.TypeEnd || ev.EventType == events.TypeError {
				e.ends++
				e.ended = true
			}
			if i > 0 && !ev.Timestamp.After(evs[i-1].Timestamp) {
				t.Errorf("n=%d: timestamps do not increase at %d", n, i)
			}
		}
		for id, e := range execs {
			if e.ends != 1 {
				t.Errorf("n=%d: execution %s ends %d times", n, id, e.ends)
			}
			if e.first != events.TypeStart && e.first != events.TypeEnd {
				t.Errorf("n=%d: execution %s begins with %s", n, id, e.first)
			}
		}
	}
}
