package events_test

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

// repairUTF8 replaces each byte of s that is not part of valid UTF-8 with
// U+FFFD, as the encoder does.
func repairUTF8(s string) string { return string([]rune(s)) }

// repairKey is what a map key becomes on the wire: repaired, and marked with
// its original bytes when it needed repair (see TestRepairedKeysStayDistinct).
func repairKey(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return repairUTF8(s) + "#x" + hex.EncodeToString([]byte(s))
}

// decodedForm returns ev as Unmarshal gives it back after AppendJSON: strings
// repaired, timestamp in UTC cut to the microsecond, data values as
// encoding/json decodes them into an any (numbers float64, lists []any), and
// nil maps as the empty objects they were written as.
func decodedForm(t *testing.T, ev events.Event) events.Event {
	t.Helper()
	data := map[string]any{}
	for k, v := range ev.Data {
		var dv any
		viaEncodingJSON(t, v, &dv)
		data[repairKey(k)] = dv
	}
	tags := map[string]string{}
	for k, v := range ev.Tags {
		tags[repairKey(k)] = repairUTF8(v)
	}
	return events.Event{
		EventID:     repairUTF8(ev.EventID),
		ExecutionID: repairUTF8(ev.ExecutionID),
		ParentID:    repairUTF8(ev.ParentID),
		Timestamp:   ev.Timestamp.UTC().Truncate(time.Microsecond),
		ModuleName:  repairUTF8(ev.ModuleName),
		MethodName:  repairUTF8(ev.MethodName),
		EventType:   events.Type(repairUTF8(string(ev.EventType))),
		Operation:   repairUTF8(ev.Operation),
		Data:        data,
		Tags:        tags,
	}
}

func viaEncodingJSON(t *testing.T, in, out any) {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != "null" {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

func assertEventEqual(t *testing.T, got, want events.Event) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded event differs\ngot:  %#v\nwant: %#v", got, want)
	}
}

func TestUnmarshalGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", tc.name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := events.Unmarshal(b)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			assertEventEqual(t, got, decodedForm(t, tc.ev()))
		})
	}
}

func TestUnmarshalAccepts(t *testing.T) {
	base := events.Event{
		EventID:     "abc",
		ExecutionID: "exec",
		Timestamp:   time.Date(2025, 9, 17, 15, 22, 32, 123456000, time.UTC),
		ModuleName:  "manual",
		MethodName:  "forward",
		EventType:   events.TypeStart,
		Operation:   "retrieval",
		Data:        map[string]any{"stage": "start"},
		Tags:        map[string]string{},
	}
	with := func(edit func(*events.Event)) events.Event {
		ev := base
		edit(&ev)
		return ev
	}
	tests := []struct {
		name string
		in   string
		want events.Event
	}{
		{
			name: "python HEAD json.dumps",
			in:   `{"event_id": "abc", "execution_id": "exec", "timestamp": "2025-09-17 15:22:32.123456+00:00", "module_name": "manual", "method_name": "forward", "event_type": "start", "operation": "retrieval", "data": {"stage": "start"}, "tags": {}}`,
			want: base,
		},
		{
			name: "python null operation",
			in:   `{"event_id": "abc", "execution_id": "exec", "timestamp": "2025-09-17 15:22:32.123456+00:00", "module_name": "manual", "method_name": "forward", "event_type": "start", "operation": null, "data": {"stage": "start"}, "tags": {}}`,
			want: with(func(ev *events.Event) { ev.Operation = "" }),
		},
		{
			name: "python Gen A with extra fields",
			in:   `{"event_id":"abc","execution_id":"exec","timestamp":"2025-09-17T15:22:32.123456Z","module_name":"manual","method_name":"forward","event_type":"start","operation":"retrieval","data":{"stage":"start"},"tags":{},"module_version":"1.2","code_signature":"f00"}`,
			want: base,
		},
		{
			name: "timestamp without fraction",
			in:   `{"timestamp":"2025-09-17 15:22:32+00:00","event_type":"start"}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 0, time.UTC), EventType: events.TypeStart},
		},
		{
			name: "timestamp with offset",
			in:   `{"timestamp":"2025-09-17T17:22:32.5+02:00","event_type":"start"}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 500000000, time.UTC), EventType: events.TypeStart},
		},
		{
			name: "timestamp without offset is UTC",
			in:   `{"timestamp":"2025-09-17T15:22:32.123","event_type":"start"}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 123000000, time.UTC), EventType: events.TypeStart},
		},
		{
			name: "timestamp with nanoseconds",
			in:   `{"timestamp":"2025-09-17T15:22:32.123456789Z","event_type":"start"}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 123456789, time.UTC), EventType: events.TypeStart},
		},
		{
			name: "null data and tags are nil",
			in:   `{"timestamp":"2025-09-17T15:22:32Z","event_type":"end","data":null,"tags":null,"parent_id":null}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 0, time.UTC), EventType: events.TypeEnd},
		},
		{
			name: "numbers are float64",
			in:   `{"timestamp":"2025-09-17T15:22:32Z","event_type":"token","data":{"token_index":3,"big":9007199254740993,"list":[1,2.5]}}`,
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 0, time.UTC), EventType: events.TypeToken,
				Data: map[string]any{"token_index": 3.0, "big": 9007199254740992.0, "list": []any{1.0, 2.5}}},
		},
		{
			name: "invalid UTF-8 is repaired",
			in:   "{\"timestamp\":\"2025-09-17T15:22:32Z\",\"event_type\":\"token\",\"module_name\":\"a\xffb\"}",
			want: events.Event{Timestamp: time.Date(2025, 9, 17, 15, 22, 32, 0, time.UTC), EventType: events.TypeToken, ModuleName: "a\ufffdb"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := events.Unmarshal([]byte(tc.in))
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			assertEventEqual(t, got, tc.want)
		})
	}
}

func TestUnmarshalRejects(t *testing.T) {
	const ok = `"timestamp":"2025-09-17T15:22:32Z","event_type":"start"`
	tests := []struct {
		name string
		in   string
		want string // a fragment the error must contain
	}{
		{"empty input", ``, "not valid JSON"},
		{"truncated", `{` + ok, "not valid JSON"},
		{"trailing garbage", `{` + ok + `} x`, "not valid JSON"},
		{"array", `[{` + ok + `}]`, "not a JSON object"},
		{"string", `"event"`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"missing timestamp", `{"event_type":"start"}`, "field timestamp: missing"},
		{"empty timestamp", `{"timestamp":"","event_type":"start"}`, "field timestamp: missing"},
		{"unparsable timestamp", `{"timestamp":"yesterday","event_type":"start"}`, `field timestamp: "yesterday"`},
		{"numeric timestamp", `{"timestamp":1758122552,"event_type":"start"}`, "field timestamp"},
		{"missing event_type", `{"timestamp":"2025-09-17T15:22:32Z"}`, "field event_type: missing"},
		{"numeric event_id", `{` + ok + `,"event_id":7}`, "field event_id"},
		{"data is a list", `{` + ok + `,"data":[1]}`, "field data"},
		{"tag value is a number", `{` + ok + `,"tags":{"n":1}}`, "field tags"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := events.Unmarshal([]byte(tc.in))
			if !errors.Is(err, events.ErrInvalidEvent) {
				t.Fatalf("error %v does not wrap ErrInvalidEvent", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}

			// The same through encoding/json and Event.UnmarshalJSON, for
			// inputs that are valid JSON (null is a no-op there).
			if json.Valid([]byte(tc.in)) && tc.in != "null" {
				var list []events.Event
				err := json.Unmarshal([]byte("["+tc.in+"]"), &list)
				if !errors.Is(err, events.ErrInvalidEvent) {
					t.Errorf("UnmarshalJSON error %v does not wrap ErrInvalidEvent", err)
				}
			}
		})
	}
}

func TestUnmarshalJSONNullKeepsEvent(t *testing.T) {
	ev := tokenEvent()
	if err := json.Unmarshal([]byte(`null`), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.EventID != tokenEvent().EventID {
		t.Errorf("null changed the event: %+v", ev)
	}
}
