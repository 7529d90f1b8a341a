package events_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

// FuzzAppendJSON puts arbitrary strings into every place an event holds one
// and checks that the output is always valid UTF-8 JSON that decodes back to
// the same strings, repaired where they were not valid UTF-8.
func FuzzAppendJSON(f *testing.F) {
	f.Add("V1StGXR8Z5jd", "Xa81LmQ0p2Rt", "ChatBot", "llm_call", "token", "The answer is", "customer_id", "c-42", 0.5, int64(1790000000156123456))
	f.Add("", "", "", "", "", "", "", "", 0.0, int64(0))
	f.Add("\xff", "\"\\", "\u2028\u2029", "<>&", "\x00\x1f", "日本語😀", "\xc3", "\xe2\x82", math.NaN(), int64(-1))
	f.Add("a\tb\nc", "\x7f", "\ufffd", "\xed\xa0\x80", "k", "\xf4\x90\x80\x80", "t", "v", math.Inf(-1), int64(math.MinInt64))
	f.Fuzz(func(t *testing.T, id, parent, module, op, key, value, tagKey, tagValue string, num float64, nanos int64) {
		if k := repairKey(key); k == "n" || k == "list" {
			t.Skip("key collides with a fixed key")
		}
		ev := events.Event{
			EventID:     id,
			ExecutionID: id + parent,
			ParentID:    parent,
			Timestamp:   time.Unix(0, nanos),
			ModuleName:  module,
			MethodName:  value,
			EventType:   events.TypeToken,
			Operation:   op,
			Data:        map[string]any{key: value, "n": num, "list": []any{value, []string{key}}},
			Tags:        map[string]string{tagKey: tagValue},
		}
		if got, want := dataJSON(t, value), stdJSON(t, value); got != want {
			t.Errorf("%q encoded as %s, encoding/json writes %s", value, got, want)
		}
		out := events.AppendJSON(nil, &ev)
		if !utf8.Valid(out) || !json.Valid(out) {
			t.Fatalf("not valid UTF-8 JSON: %q", out)
		}
		got, err := events.Unmarshal(out)
		if err != nil {
			t.Fatalf("Unmarshal(%q): %v", out, err)
		}
		for _, c := range []struct{ name, got, sent string }{
			{"event_id", got.EventID, ev.EventID},
			{"execution_id", got.ExecutionID, ev.ExecutionID},
			{"parent_id", got.ParentID, ev.ParentID},
			{"module_name", got.ModuleName, ev.ModuleName},
			{"method_name", got.MethodName, ev.MethodName},
			{"operation", got.Operation, ev.Operation},
			{"data value", str(got.Data[repairKey(key)]), value},
			{"data list value", str(index(got.Data["list"], 0)), value},
			{"data list key", str(index(index(got.Data["list"], 1), 0)), key},
			{"tag value", got.Tags[repairKey(tagKey)], tagValue},
		} {
			if c.got != repairUTF8(c.sent) {
				t.Errorf("%s: got %q, want %q (sent %q)", c.name, c.got, repairUTF8(c.sent), c.sent)
			}
		}
		if want := ev.Timestamp.UTC().Truncate(time.Microsecond); !got.Timestamp.Equal(want) {
			t.Errorf("timestamp: got %v, want %v", got.Timestamp, want)
		}
		wantNum := any(num)
		switch {
		case math.IsNaN(num):
			wantNum = events.Unsupported + "NaN"
		case math.IsInf(num, 1):
			wantNum = events.Unsupported + "+Inf"
		case math.IsInf(num, -1):
			wantNum = events.Unsupported + "-Inf"
		}
		if got.Data["n"] != wantNum {
			t.Errorf("number: got %v, want %v", got.Data["n"], wantNum)
		}
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func index(v any, i int) any {
	if list, ok := v.([]any); ok && i < len(list) {
		return list[i]
	}
	return nil
}
