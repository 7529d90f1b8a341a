package sinktest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/streamll/streamll-go/events"
)

// customType is the custom event type MakeEvents uses beside the built-in ones.
const customType events.Type = "docs_found"

// MakeEvents returns n new events whose Operation is prefix-NNNNN (the index,
// zero-padded to five digits, such as "op-00042"), so that drivers that can
// only recover EventType and Operation can still be checked for order.
//
// Every event has its own EventID and ExecutionID (from events.NewID) and a
// UTC timestamp truncated to microseconds, the wire's precision. The events
// cycle through the types start, docs_found (a custom type), end and error,
// but never token, since some drivers join consecutive tokens for display.
// Their Data and Tags hold values that survive a JSON round trip (strings with
// quotes, newlines and non-ASCII text, numbers, booleans, null, nested objects
// and arrays); every other event has a ParentID, and every seventh has nil Data
// and Tags, which the wire carries as empty objects.
func MakeEvents(n int, prefix string) []*events.Event {
	base := time.Now().UTC().Truncate(time.Microsecond)
	evs := make([]*events.Event, n)
	for i := range evs {
		ev := &events.Event{
			EventID:     events.NewID(),
			ExecutionID: events.NewID(),
			Timestamp:   base.Add(time.Duration(i) * time.Microsecond),
			ModuleName:  "ChatBot",
			MethodName:  "forward",
			Operation:   fmt.Sprintf("%s-%05d", prefix, i),
			Tags:        map[string]string{"customer_id": "c-" + strconv.Itoa(i%5), "service": "sinktest"},
		}
		if i%2 == 1 {
			ev.ParentID = events.NewID()
		}
		switch i % 4 {
		case 0:
			ev.EventType = events.TypeStart
		case 1:
			ev.EventType = customType
		case 2:
			ev.EventType = events.TypeEnd
		case 3:
			ev.EventType = events.TypeError
		}
		ev.Data = dataFor(ev.EventType)
		if i%7 == 6 {
			ev.Data, ev.Tags = nil, nil
		}
		evs[i] = ev
	}
	return evs
}

// dataFor returns the data MakeEvents gives an event of type t.
func dataFor(t events.Type) map[string]any {
	switch t {
	case events.TypeStart:
		return map[string]any{
			events.KeyGenAIRequestModel:       "gpt-4o-mini",
			events.KeyGenAIRequestTemperature: 0.2,
			"question":                        "What is \"2+2\"?\nÅnswer in ünïcødé 😀",
		}
	case customType:
		return map[string]any{
			"count":  3,
			"ids":    []any{"d1", "d2", "d3"},
			"source": map[string]any{"index": "docs", "cached": true, "shard": nil},
		}
	case events.TypeEnd:
		return map[string]any{
			events.KeyDurationSeconds:        1.25,
			events.KeyGenAIUsageOutputTokens: 42,
			"answer":                         "4",
		}
	case events.TypeError:
		return map[string]any{
			events.KeyDurationSeconds: 0.5,
			events.KeyErrorType:       "*url.Error",
			events.KeyErrorMessage:    "Post \"https://api.example.com\": connection refused",
		}
	}
	return nil
}

// MakeExecutions returns n events that form whole executions, in emission
// order, for drivers that deliver an execution's events together when it
// ends (Features.WholeExecutions). The executions cycle through three
// shapes: start, docs_found, end (nested in an execution outside the
// stream); start, error; and a start whose nested execution starts, has a
// docs_found and ends before its parent ends. When fewer events are left
// than a shape needs, the last execution is a start, docs_found events and an
// end, or an end alone (an execution whose start the driver was not given).
//
// Every event of an execution has its ExecutionID, ParentID, Tags and
// Operation: prefix-NNNNN, where NNNNN is the index of the execution's first
// event. Event ids, timestamps (1µs apart) and data are as MakeEvents makes
// them, by type.
func MakeExecutions(n int, prefix string) []*events.Event {
	evs := MakeEvents(n, prefix)
	type step struct {
		exec int // which execution of the group: 0 or 1 (nested)
		typ  events.Type
	}
	shapes := [][]step{
		{{0, events.TypeStart}, {0, customType}, {0, events.TypeEnd}},
		{{0, events.TypeStart}, {0, events.TypeError}},
		{{0, events.TypeStart}, {1, events.TypeStart}, {1, customType}, {1, events.TypeEnd}, {0, events.TypeEnd}},
	}
	for i, group := 0, 0; i < n; group++ {
		shape := shapes[group%len(shapes)]
		if left := n - i; left < len(shape) {
			shape = []step{{0, events.TypeEnd}}
			if left > 1 {
				shape = []step{{0, events.TypeStart}}
				for range left - 2 {
					shape = append(shape, step{0, customType})
				}
				shape = append(shape, step{0, events.TypeEnd})
			}
		}
		var ids, ops [2]string
		var tags map[string]string
		for k, st := range shape {
			ev := evs[i+k]
			if ids[st.exec] == "" {
				ids[st.exec], ops[st.exec] = ev.ExecutionID, ev.Operation
			}
			if k == 0 {
				tags = ev.Tags
			}
		}
		parent := ""
		if group%len(shapes) == 0 {
			parent = events.NewID()
		}
		for k, st := range shape {
			ev := evs[i+k]
			ev.ExecutionID, ev.Operation, ev.Tags = ids[st.exec], ops[st.exec], tags
			ev.ParentID = parent
			if st.exec == 1 {
				ev.ParentID = ids[0]
			}
			ev.EventType = st.typ
			ev.Data = dataFor(st.typ)
			if group%7 == 6 {
				ev.Data = nil
			}
		}
		i += len(shape)
	}
	return evs
}
