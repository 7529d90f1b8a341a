package events

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the version of the wire format this package writes.
const SchemaVersion = "1"

// Unsupported starts the placeholder string that replaces a value JSON cannot
// carry, for example "!unsupported:NaN" or "!unsupported:chan int".
const Unsupported = "!unsupported:"

// TEMPORARY stub, replaced by the hand-written encoder.
type wireEvent struct {
	EventID     string            `json:"event_id"`
	ExecutionID string            `json:"execution_id"`
	ParentID    string            `json:"parent_id,omitempty"`
	Timestamp   string            `json:"timestamp"`
	ModuleName  string            `json:"module_name"`
	MethodName  string            `json:"method_name"`
	EventType   Type              `json:"event_type"`
	Operation   string            `json:"operation"`
	Data        map[string]any    `json:"data"`
	Tags        map[string]string `json:"tags"`
}

// AppendJSON appends the wire-format encoding of ev to dst and returns the
// extended buffer. It never fails.
func AppendJSON(dst []byte, ev *Event) []byte {
	w := wireEvent{ev.EventID, ev.ExecutionID, ev.ParentID, ev.Timestamp.UTC().Format("2006-01-02T15:04:05.000000Z"),
		ev.ModuleName, ev.MethodName, ev.EventType, ev.Operation, ev.Data, ev.Tags}
	if w.Data == nil {
		w.Data = map[string]any{}
	}
	if w.Tags == nil {
		w.Tags = map[string]string{}
	}
	b, _ := json.Marshal(w)
	return append(dst, b...)
}

// Unmarshal decodes one wire-format event.
func Unmarshal(data []byte) (Event, error) {
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return Event{}, err
	}
	ts, _ := time.Parse(time.RFC3339Nano, w.Timestamp)
	return Event{w.EventID, w.ExecutionID, w.ParentID, ts, w.ModuleName, w.MethodName, w.EventType, w.Operation, w.Data, w.Tags}, nil
}
