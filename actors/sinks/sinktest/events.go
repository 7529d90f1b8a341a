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
			ev.Data = map[string]any{
				events.KeyGenAIRequestModel:       "gpt-4o-mini",
				events.KeyGenAIRequestTemperature: 0.2,
				"question":                        "What is \"2+2\"?\nÅnswer in ünïcødé 😀",
			}
		case 1:
			ev.EventType = customType
			ev.Data = map[string]any{
				"count":  3,
				"ids":    []any{"d1", "d2", "d3"},
				"source": map[string]any{"index": "docs", "cached": true, "shard": nil},
			}
		case 2:
			ev.EventType = events.TypeEnd
			ev.Data = map[string]any{
				events.KeyDurationSeconds:        1.25,
				events.KeyGenAIUsageOutputTokens: 42,
				"answer":                         "4",
			}
		case 3:
			ev.EventType = events.TypeError
			ev.Data = map[string]any{
				events.KeyDurationSeconds: 0.5,
				events.KeyErrorType:       "*url.Error",
				events.KeyErrorMessage:    "Post \"https://api.example.com\": connection refused",
			}
		}
		if i%7 == 6 {
			ev.Data, ev.Tags = nil, nil
		}
		evs[i] = ev
	}
	return evs
}
