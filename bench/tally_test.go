package main

import (
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
)

func TestParseIDTimeReadsTheWireFormat(t *testing.T) {
	ts := time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC)
	tests := []struct {
		name string
		ev   events.Event
	}{
		{"workload event", func() events.Event {
			ev := newWorkload(400).event("k3Jd9aQ01LmZ")
			ev.EventID, ev.Timestamp = "V1StGXR8Z5jd", ts
			return ev
		}()},
		{"with parent and tags", events.Event{EventID: "V1StGXR8Z5jd", ExecutionID: "k3Jd9aQ01LmZ", ParentID: "Xa81LmQ0p2Rt",
			Timestamp: ts, EventType: events.TypeToken, Data: map[string]any{"timestamp": "decoy"}, Tags: map[string]string{"a": "b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, got, ok := parseIDTime(events.Marshal(&tt.ev))
			if !ok || string(id[:]) != tt.ev.EventID || !got.Equal(ts) {
				t.Fatalf("parseIDTime = %q, %v, %v; want %q, %v", id, got, ok, tt.ev.EventID, ts)
			}
		})
	}
}

func TestParseIDTimeRejectsGarbage(t *testing.T) {
	for _, body := range []string{"", "{}", `{"event_id":"short"}`, `{"event_id":"V1StGXR8Z5jd","timestamp":"yesterday"}`} {
		if _, _, ok := parseIDTime([]byte(body)); ok {
			t.Errorf("parseIDTime(%q) accepted it", body)
		}
	}
}

func TestTallyCountsDuplicatesAndLatency(t *testing.T) {
	tl := newTally(true)
	ev := events.Event{EventID: "V1StGXR8Z5jd", Timestamp: time.Now().Add(-time.Millisecond), EventType: benchType}
	body := events.Marshal(&ev)
	now := time.Now()
	tl.add(body, now)
	tl.add(body, now)
	tl.add([]byte("not json"), now)
	if len(tl.seen) != 1 || tl.dups != 1 || tl.malformed != 1 || tl.entries != 3 || tl.e2e.total != 1 {
		t.Fatalf("tally = seen %d dups %d malformed %d entries %d e2e %d", len(tl.seen), tl.dups, tl.malformed, tl.entries, tl.e2e.total)
	}
}

func TestWorkloadPayloadSize(t *testing.T) {
	for _, size := range []int{300, 400, 4096} {
		ev := newWorkload(size).stamped("k3Jd9aQ01LmZ")
		if n := len(events.Marshal(&ev)); n < size-2 || n > size+2 {
			t.Errorf("payload %d: encoded event is %d bytes", size, n)
		}
	}
}
