package events_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/streamll/streamll-go/events"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestAppendJSONGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev()
			got := append(events.AppendJSON(nil, &ev), '\n')
			path := filepath.Join("testdata", tc.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("AppendJSON differs from %s\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}

// TestAppendJSONRoundTrip checks that Unmarshal gives back every event
// AppendJSON wrote, as encoding/json would decode the same data.
func TestAppendJSONRoundTrip(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev()
			got, err := events.Unmarshal(events.AppendJSON(nil, &ev))
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			assertEventEqual(t, got, decodedForm(t, ev))
		})
	}
}

// TestAppendJSONWireShape checks what consumers of the Python streamll rely
// on: one compact object, fields in wire order, parent_id only when set, data
// and tags always objects, tag values strings, microsecond UTC timestamps.
func TestAppendJSONWireShape(t *testing.T) {
	timestamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$`)
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev()
			out := events.AppendJSON(nil, &ev)
			if !json.Valid(out) {
				t.Fatalf("not valid JSON: %s", out)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, out); err != nil || !bytes.Equal(compact.Bytes(), out) {
				t.Errorf("output is not compact: %s", out)
			}

			wantKeys := []string{"event_id", "execution_id", "parent_id", "timestamp", "module_name",
				"method_name", "event_type", "operation", "data", "tags"}
			if ev.ParentID == "" {
				wantKeys = slices.Delete(wantKeys, 2, 3)
			}
			if got := topLevelKeys(t, out); !slices.Equal(got, wantKeys) {
				t.Errorf("keys = %v, want %v", got, wantKeys)
			}

			var obj map[string]any
			if err := json.Unmarshal(out, &obj); err != nil {
				t.Fatal(err)
			}
			if _, ok := obj["data"].(map[string]any); !ok {
				t.Errorf("data = %#v, want an object", obj["data"])
			}
			tags, ok := obj["tags"].(map[string]any)
			if !ok {
				t.Errorf("tags = %#v, want an object", obj["tags"])
			}
			for k, v := range tags {
				if _, ok := v.(string); !ok {
					t.Errorf("tags[%q] = %#v, want a string", k, v)
				}
			}
			if _, ok := obj["operation"].(string); !ok {
				t.Errorf("operation = %#v, want a string", obj["operation"])
			}
			if ts, _ := obj["timestamp"].(string); !timestamp.MatchString(ts) {
				t.Errorf("timestamp = %q, want RFC 3339 UTC with 6 fractional digits", ts)
			}
		})
	}
}

// topLevelKeys returns the keys of the JSON object in out, in order.
func topLevelKeys(t *testing.T, out []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	var keys []string
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestMarshalJSONMatchesAppendJSON(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev()
			want := events.AppendJSON(nil, &ev)
			if got := events.Marshal(&ev); !bytes.Equal(got, want) {
				t.Errorf("Marshal = %s\nwant      %s", got, want)
			}
			got, err := ev.MarshalJSON()
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("MarshalJSON = %s, %v\nwant          %s", got, err, want)
			}

			// Inside a value given to encoding/json.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode([]events.Event{ev}); err != nil {
				t.Fatal(err)
			}
			wantList := "[" + string(want) + "]\n"
			if buf.String() != wantList {
				t.Errorf("encoding/json wrote %s\nwant               %s", buf.String(), wantList)
			}
			var back []events.Event
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
				t.Fatalf("json.Unmarshal: %v", err)
			}
			assertEventEqual(t, back[0], decodedForm(t, ev))
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	ev := tokenEvent()
	prefix := []byte("event ")
	out := events.AppendJSON(prefix, &ev)
	if want := "event " + string(events.Marshal(&ev)); string(out) != want {
		t.Errorf("AppendJSON(prefix) = %s, want %s", out, want)
	}
}

func TestAppendJSONNilEvent(t *testing.T) {
	got := string(events.AppendJSON(nil, nil))
	want := `{"event_id":"","execution_id":"","timestamp":"0001-01-01T00:00:00.000000Z","module_name":"",` +
		`"method_name":"","event_type":"","operation":"","data":{},"tags":{}}`
	if got != want {
		t.Errorf("AppendJSON(nil) = %s, want %s", got, want)
	}
}

// TestAppendJSONTimestamp pins the hand-written timestamp against time.Format.
func TestAppendJSONTimestamp(t *testing.T) {
	tests := []struct {
		name string
		ts   time.Time
		want string
	}{
		{"zero", time.Time{}, "0001-01-01T00:00:00.000000Z"},
		{"nanoseconds are cut", time.Date(2026, 11, 26, 16, 31, 42, 156123999, time.UTC), "2026-11-26T16:31:42.156123Z"},
		{"whole second", time.Date(2025, 9, 17, 15, 22, 32, 0, time.UTC), "2025-09-17T15:22:32.000000Z"},
		{"offset converted to UTC", time.Date(2026, 1, 1, 0, 30, 0, 1000, time.FixedZone("", -2*3600)), "2026-01-01T02:30:00.000001Z"},
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC), "1969-12-31T23:59:59.999999Z"},
		{"last microsecond of 9999", time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC), "9999-12-31T23:59:59.999999Z"},
		{"year 10000", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "10000-01-01T00:00:00.000000Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if ref := tc.ts.UTC().Format("2006-01-02T15:04:05.000000Z"); ref != tc.want {
				t.Fatalf("test case disagrees with time.Format: %s", ref)
			}
			ev := events.Event{Timestamp: tc.ts, Data: map[string]any{"at": tc.ts}}
			out := string(events.Marshal(&ev))
			if want := `"timestamp":"` + tc.want + `"`; !strings.Contains(out, want) {
				t.Errorf("output %s lacks %s", out, want)
			}
			if want := `"data":{"at":"` + tc.want + `"}`; !strings.Contains(out, want) {
				t.Errorf("output %s lacks %s", out, want)
			}
		})
	}
}

// Types for the value tests. Their names appear in placeholders.
type (
	level     string
	okJSON    struct{}
	spacyJSON struct{}
	ptrJSON   struct{}
	panicky   struct{}
	nilPanic  struct{}
	badJSON   struct{}
	failJSON  struct{}
	textOK    struct{}
	textPanic struct{}
	errPanic  struct{}
	withChan  struct{ C chan int }
	holder    struct{ P panicky }
	note      struct {
		Name string `json:"name"`
		Tags []string
	}
)

func (okJSON) MarshalJSON() ([]byte, error) { return []byte(`{"ok":true}`), nil }
func (spacyJSON) MarshalJSON() ([]byte, error) {
	return []byte(" { \"a\" : [ 1 , 2 ] ,\n \"b\" : \"x\xff y\u2028\" } "), nil
}
func (p *ptrJSON) MarshalJSON() ([]byte, error) { return []byte(`"ptr"`), nil }
func (panicky) MarshalJSON() ([]byte, error)    { panic("boom") }
func (nilPanic) MarshalJSON() ([]byte, error)   { panic(nil) }
func (badJSON) MarshalJSON() ([]byte, error)    { return []byte(`{"unterminated":`), nil }
func (failJSON) MarshalJSON() ([]byte, error)   { return nil, errors.New("cannot") }
func (textOK) MarshalText() ([]byte, error)     { return []byte("text \"with\" quotes\xff"), nil }
func (textPanic) MarshalText() ([]byte, error)  { panic("boom") }
func (errPanic) Error() string                  { panic("boom") }

type wrappedErr struct{ msg string }

func (e *wrappedErr) Error() string { return e.msg }

// TestAppendJSONValues pins how each kind of supported data value is written.
func TestAppendJSONValues(t *testing.T) {
	five := 5
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"nil", nil, `null`},
		{"string", "plain", `"plain"`},
		{"html characters are not escaped", "<a href=\"x\">&</a>", `"<a href=\"x\">&</a>"`},
		{"control characters", "\x00\x1f\b\f\n\r\t\x7f", `"\u0000\u001f\b\f\n\r\t` + "\x7f" + `"`},
		{"line and paragraph separators", "a\u2028b\u2029c", `"a\u2028b\u2029c"`},
		{"true", true, `true`},
		{"false", false, `false`},
		{"int", -42, `-42`},
		{"int8", int8(-128), `-128`},
		{"int16", int16(32767), `32767`},
		{"int32", int32(-7), `-7`},
		{"int64 min", int64(math.MinInt64), `-9223372036854775808`},
		{"uint", uint(7), `7`},
		{"uint8", uint8(255), `255`},
		{"uint16", uint16(65535), `65535`},
		{"uint32", uint32(1 << 31), `2147483648`},
		{"uint64 max", uint64(math.MaxUint64), `18446744073709551615`},
		{"uintptr", uintptr(9), `9`},
		{"float64", 0.1, `0.1`},
		{"float64 whole", 1234567.0, `1234567`},
		{"float64 negative zero", math.Copysign(0, -1), `-0`},
		{"float64 small", 1e-7, `1e-7`},
		{"float64 at 1e-6", 1e-6, `0.000001`},
		{"float64 large", 1e21, `1e+21`},
		{"float64 below 1e21", 1e20, `100000000000000000000`},
		{"float64 max", math.MaxFloat64, `1.7976931348623157e+308`},
		{"float32", float32(0.1), `0.1`},
		{"float32 small", float32(1e-7), `1e-7`},
		{"map[string]any sorted", map[string]any{"b": 1, "a": "x", "c": map[string]any{"z": nil, "y": []any{}}}, `{"a":"x","b":1,"c":{"y":[],"z":null}}`},
		{"map[string]any empty", map[string]any{}, `{}`},
		{"map[string]any nil", map[string]any(nil), `null`},
		{"map[string]any many keys", manyKeys(40), manyKeysJSON(40)},
		{"map[string]string", map[string]string{"b": "2", "a": "1"}, `{"a":"1","b":"2"}`},
		{"map[string]string nil", map[string]string(nil), `null`},
		{"[]any", []any{1, "two", 3.5, true, nil, []any{}}, `[1,"two",3.5,true,null,[]]`},
		{"[]any nil", []any(nil), `null`},
		{"[]string", []string{"stop", "length"}, `["stop","length"]`},
		{"[]string nil", []string(nil), `null`},
		{"[]string empty", []string{}, `[]`},
		{"[]int", []int{1, -2}, `[1,-2]`},
		{"[]float64", []float64{0.5, 2}, `[0.5,2]`},
		{"same map twice is not a cycle", sharedTwice(), `{"a":{"k":1},"b":{"k":1}}`},
		{"time.Time", time.Date(2026, 1, 1, 1, 0, 0, 1500, time.FixedZone("", 3600)), `"2026-01-01T00:00:00.000001Z"`},
		{"*time.Time", &at, `"2026-11-26T16:31:42.156123Z"`},
		{"nil *time.Time", (*time.Time)(nil), `null`},
		{"json.RawMessage compacted", json.RawMessage(" [1, {\"a\" : \"b c\"}]\n"), `[1,{"a":"b c"}]`},
		{"json.RawMessage nil", json.RawMessage(nil), `null`},
		{"json.Number", json.Number("12.5"), `12.5`},
		{"json.Marshaler", okJSON{}, `{"ok":true}`},
		{"json.Marshaler output compacted and repaired", spacyJSON{}, `{"a":[1,2],"b":"x\ufffd y\u2028"}`},
		{"json.Marshaler pointer", &ptrJSON{}, `"ptr"`},
		{"nil pointer json.Marshaler is null", (*ptrJSON)(nil), `null`},
		{"encoding.TextMarshaler", netip.MustParseAddr("127.0.0.1"), `"127.0.0.1"`},
		{"encoding.TextMarshaler escaped", textOK{}, `"text \"with\" quotes\ufffd"`},
		{"error is its message", errors.New("it <broke>"), `"it <broke>"`},
		{"nil pointer error is null", (*wrappedErr)(nil), `null`},
		{"struct via encoding/json without HTML escaping", note{Name: "<b>&", Tags: []string{"x"}}, `{"name":"<b>&","Tags":["x"]}`},
		{"named string via encoding/json", level("warn"), `"warn"`},
		{"pointer via encoding/json", &five, `5`},
		{"map[string]int via encoding/json", map[string]int{"b": 2, "a": 1}, `{"a":1,"b":2}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := dataJSON(t, tc.value)
			if got != tc.want {
				t.Errorf("value encoded as %s, want %s", got, tc.want)
			}
		})
	}
}

func manyKeys(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[string(rune('A'+i))] = i
	}
	return m
}

func manyKeysJSON(n int) string {
	parts := make([]string, n)
	for i := range n {
		b, _ := json.Marshal(map[string]int{string(rune('A' + i)): i})
		parts[i] = string(b[1 : len(b)-1])
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func sharedTwice() map[string]any {
	shared := map[string]any{"k": 1}
	return map[string]any{"a": shared, "b": shared}
}

// dataJSON encodes an event whose data is {"v": value} and returns the JSON
// written for value, checking that the whole output is valid.
func dataJSON(t testing.TB, value any) string {
	t.Helper()
	ev := events.Event{EventType: events.TypeToken, Data: map[string]any{"v": value}}
	out := string(events.Marshal(&ev))
	if !json.Valid([]byte(out)) {
		t.Fatalf("not valid JSON: %s", out)
	}
	const before, after = `"data":{"v":`, `},"tags":{}}`
	i := strings.Index(out, before)
	if i < 0 || !strings.HasSuffix(out, after) {
		t.Fatalf("unexpected output shape: %s", out)
	}
	return out[i+len(before) : len(out)-len(after)]
}

// stdJSON encodes v with encoding/json without HTML escaping: the reference
// for how strings are escaped.
func stdJSON(t testing.TB, v any) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// TestAppendJSONStringsMatchEncodingJSON puts every byte value at every
// offset of plain strings of every length up to 21 (short strings, one word,
// two words and a tail), and checks each is escaped exactly as encoding/json
// escapes it (without HTML escaping).
func TestAppendJSONStringsMatchEncodingJSON(t *testing.T) {
	const plain = "abcdefghijklmnopqrstu"
	for c := range 256 {
		for _, b := range [][]byte{{byte(c)}, {0xe2, 0x80, byte(c)}, {0xf0, 0x9f, 0x98, byte(c)}} {
			for n := range len(plain) + 1 {
				for pos := 0; pos <= n; pos++ {
					s := plain[:pos] + string(b) + plain[pos:n]
					if got, want := dataJSON(t, s), stdJSON(t, s); got != want {
						t.Fatalf("%q encoded as %s, encoding/json writes %s", s, got, want)
					}
				}
			}
		}
	}
}

// TestAppendJSONUnsupported feeds values JSON cannot carry and checks each is
// replaced by its placeholder while the rest of the event is delivered intact.
func TestAppendJSONUnsupported(t *testing.T) {
	tests := []struct {
		name string
		edit func(ev *events.Event)
		want string // a fragment the output must contain
	}{
		{"NaN", setBad(math.NaN()), `"bad":"!unsupported:NaN"`},
		{"+Inf", setBad(math.Inf(1)), `"bad":"!unsupported:+Inf"`},
		{"-Inf", setBad(math.Inf(-1)), `"bad":"!unsupported:-Inf"`},
		{"float32 NaN", setBad(float32(math.NaN())), `"bad":"!unsupported:NaN"`},
		{"NaN in []float64", setBad([]float64{1, math.NaN()}), `"bad":[1,"!unsupported:NaN"]`},
		{"NaN in []any", setBad([]any{math.Inf(1)}), `"bad":["!unsupported:+Inf"]`},
		{"channel", setBad(make(chan int)), `"bad":"!unsupported:chan int"`},
		{"func", setBad(func() {}), `"bad":"!unsupported:func()"`},
		{"complex128", setBad(complex(1, 2)), `"bad":"!unsupported:complex128"`},
		{"complex64", setBad(complex64(1)), `"bad":"!unsupported:complex64"`},
		{"unsafe.Pointer", setBad(unsafe.Pointer(&struct{}{})), `"bad":"!unsupported:unsafe.Pointer"`},
		{"struct holding a channel", setBad(withChan{}), `"bad":"!unsupported:events_test.withChan"`},
		{"NaN inside encoding/json value", setBad(map[string]float64{"x": math.NaN()}), `"bad":"!unsupported:map[string]float64"`},
		{"cyclic map", setBad(cyclicMap()), `"bad":{"a":1,"self":"!unsupported:cycle"}`},
		{"data holding itself", func(ev *events.Event) { ev.Data["bad"] = ev.Data }, `"bad":"!unsupported:cycle"`},
		{"cyclic slice", setBad(cyclicSlice()), `"bad":["!unsupported:cycle"]`},
		{"cycle through map and slice", setBad(cyclicMix()), `"bad":{"s":["!unsupported:cycle"]}`},
		{"deeply nested slices", setBad(nestedSlices(100)), `"bad":` + strings.Repeat("[", 63) + `"!unsupported:depth"` + strings.Repeat("]", 63)},
		{"deeply nested maps", setBad(nestedMaps(100)), `"bad":` + strings.Repeat(`{"k":`, 63) + `"!unsupported:depth"` + strings.Repeat("}", 63)},
		{"invalid UTF-8 in value", setBad("a\xffb\xc3"), `"bad":"a\ufffdb\ufffd"`},
		{"invalid UTF-8 in key", func(ev *events.Event) { ev.Data["bad\xff"] = 1 }, `"bad\ufffd#x626164ff":1`},
		{"invalid UTF-8 in tag key", func(ev *events.Event) { ev.Tags["t\xff"] = "v" }, `"t\ufffd#x74ff":"v"`},
		{"invalid UTF-8 in tag value", func(ev *events.Event) { ev.Tags["t"] = "\xe2\x82" }, `"t":"\ufffd\ufffd"`},
		{"invalid UTF-8 in operation", func(ev *events.Event) { ev.Operation = "op\xff" }, `"operation":"op\ufffd"`},
		{"panicking json.Marshaler", setBad(panicky{}), `"bad":"!unsupported:events_test.panicky"`},
		{"json.Marshaler panicking with nil", setBad(nilPanic{}), `"bad":"!unsupported:events_test.nilPanic"`},
		{"panicking json.Marshaler inside a struct", setBad(holder{}), `"bad":"!unsupported:events_test.holder"`},
		{"nil pointer to value-receiver json.Marshaler", setBad((*panicky)(nil)), `"bad":null`},
		{"json.Marshaler returning invalid JSON", setBad(badJSON{}), `"bad":"!unsupported:events_test.badJSON"`},
		{"json.Marshaler returning an error", setBad(failJSON{}), `"bad":"!unsupported:events_test.failJSON"`},
		{"invalid json.RawMessage", setBad(json.RawMessage(`{"a":`)), `"bad":"!unsupported:json.RawMessage"`},
		{"empty json.RawMessage", setBad(json.RawMessage{}), `"bad":"!unsupported:json.RawMessage"`},
		{"panicking encoding.TextMarshaler", setBad(textPanic{}), `"bad":"!unsupported:events_test.textPanic"`},
		{"panicking error", setBad(errPanic{}), `"bad":"!unsupported:events_test.errPanic"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := tokenEvent()
			ev.Data["z_ok"] = "intact"
			tc.edit(&ev)
			var out []byte
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("AppendJSON panicked: %v", r)
					}
				}()
				out = events.AppendJSON(nil, &ev)
			}()
			if !json.Valid(out) {
				t.Fatalf("not valid JSON: %s", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("output lacks %s:\n%s", tc.want, out)
			}
			got, err := events.Unmarshal(out)
			if err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			want := tokenEvent()
			if got.EventID != want.EventID || got.ExecutionID != want.ExecutionID ||
				got.ParentID != want.ParentID || !got.Timestamp.Equal(want.Timestamp) ||
				got.EventType != want.EventType || got.ModuleName != want.ModuleName {
				t.Errorf("event fields damaged: %+v", got)
			}
			if got.Data[events.KeyToken] != "The answer is" || got.Data["z_ok"] != "intact" {
				t.Errorf("other data damaged: %v", got.Data)
			}
			if got.Tags["customer_id"] != "c-42" {
				t.Errorf("tags damaged: %v", got.Tags)
			}
		})
	}
}

func setBad(v any) func(*events.Event) {
	return func(ev *events.Event) { ev.Data["bad"] = v }
}

func cyclicMap() map[string]any {
	m := map[string]any{"a": 1}
	m["self"] = m
	return m
}

func cyclicSlice() []any {
	s := make([]any, 1)
	s[0] = s
	return s
}

func cyclicMix() map[string]any {
	m := map[string]any{}
	m["s"] = []any{m}
	return m
}

func nestedSlices(depth int) any {
	var v any = "leaf"
	for range depth {
		v = []any{v}
	}
	return v
}

func nestedMaps(depth int) any {
	var v any = "leaf"
	for range depth {
		v = map[string]any{"k": v}
	}
	return v
}

// TestAppendJSONDoesNotAllocate pins the zero-allocation promise for the
// common data types with a reused buffer.
func TestAppendJSONDoesNotAllocate(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev()
			buf := events.AppendJSON(nil, &ev)
			allocs := testing.AllocsPerRun(100, func() {
				buf = events.AppendJSON(buf[:0], &ev)
			})
			if allocs != 0 {
				t.Errorf("AppendJSON allocates %v times per event, want 0", allocs)
			}
		})
	}
}

// TestRepairedKeysStayDistinct: two data keys, or two tags, that differ only
// in bytes that are not UTF-8 would both be repaired to the same text, and a
// JSON reader would keep one value silently; each is marked with its
// original bytes instead.
func TestRepairedKeysStayDistinct(t *testing.T) {
	ev := events.Event{EventID: "V1StGXR8Z5jd", ExecutionID: "k3Jd9aQ01LmZ", EventType: events.TypeToken,
		Timestamp: time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC),
		Data:      map[string]any{"k\xff": 1, "k\xfe": 2, "k": 3},
		Tags:      map[string]string{"t\xff": "a", "t\xfe": "b"}}
	var got struct {
		Data map[string]any    `json:"data"`
		Tags map[string]string `json:"tags"`
	}
	if err := json.Unmarshal(events.Marshal(&ev), &got); err != nil {
		t.Fatal(err)
	}
	data, tags := got.Data, got.Tags
	if len(data) != 3 || data["k\ufffd#x6bff"] != 1.0 || data["k\ufffd#x6bfe"] != 2.0 || data["k"] != 3.0 {
		t.Errorf("data = %v", data)
	}
	if len(tags) != 2 || tags["t\ufffd#x74ff"] != "a" || tags["t\ufffd#x74fe"] != "b" {
		t.Errorf("tags = %v", tags)
	}
}
