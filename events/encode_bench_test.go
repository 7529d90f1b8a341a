package events_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
)

// stdEvent is the same event shaped for encoding/json: the baseline the
// hand-written encoder is measured against.
type stdEvent struct {
	EventID     string            `json:"event_id"`
	ExecutionID string            `json:"execution_id"`
	ParentID    string            `json:"parent_id,omitempty"`
	Timestamp   time.Time         `json:"timestamp"`
	ModuleName  string            `json:"module_name"`
	MethodName  string            `json:"method_name"`
	EventType   string            `json:"event_type"`
	Operation   string            `json:"operation"`
	Data        map[string]any    `json:"data"`
	Tags        map[string]string `json:"tags"`
}

var benchEvents = []struct {
	name string
	ev   events.Event
}{
	{"token", tokenEvent()},
	{"end", endEvent()},
}

func BenchmarkAppendJSON(b *testing.B) {
	for _, bc := range benchEvents {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 1024)
			for b.Loop() {
				buf = events.AppendJSON(buf[:0], &bc.ev)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}

func BenchmarkEncodingJSON(b *testing.B) {
	for _, bc := range benchEvents {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			ev := bc.ev
			std := stdEvent{ev.EventID, ev.ExecutionID, ev.ParentID, ev.Timestamp, ev.ModuleName,
				ev.MethodName, string(ev.EventType), ev.Operation, ev.Data, ev.Tags}
			var out []byte
			for b.Loop() {
				var err error
				if out, err = json.Marshal(&std); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(out)))
		})
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	for _, bc := range benchEvents {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			in := events.Marshal(&bc.ev)
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, err := events.Unmarshal(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
