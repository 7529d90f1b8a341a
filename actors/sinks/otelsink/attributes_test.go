package otelsink

import (
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/streamll/streamll-go/events"
)

type point struct {
	X int `json:"x"`
}

type badMarshaler struct{}

func (badMarshaler) MarshalJSON() ([]byte, error) { return nil, errors.New("no") }

type panicError struct{}

func (panicError) Error() string { panic("boom") }

// Data values become attribute values of the same JSON type; what JSON
// cannot carry becomes the wire format's placeholder.
func TestValue(t *testing.T) {
	cycle := map[string]any{"name": "loop"}
	cycle["self"] = cycle
	at := time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC)
	tests := []struct {
		name string
		in   any
		want any // as attribute.Value.AsInterface gives it
	}{
		{"string", "hi", "hi"},
		{"bool", true, true},
		{"int", 42, int64(42)},
		{"uint8", uint8(7), int64(7)},
		{"big uint64", uint64(math.MaxUint64), "18446744073709551615"},
		{"float", 0.25, 0.25},
		{"float32", float32(0.5), 0.5},
		{"json number int", json.Number("12"), int64(12)},
		{"json number float", json.Number("1.5"), 1.5},
		{"nil", nil, nil},
		{"strings", []string{"stop", "length"}, []string{"stop", "length"}},
		{"mixed slice", []any{"a", 1, true}, []any{"a", int64(1), true}},
		{"nested map", map[string]any{"index": "docs", "cached": true, "shard": nil},
			map[string]any{"cached": true, "index": "docs", "shard": nil}},
		{"typed map", map[string]int{"a": 1}, map[string]any{"a": int64(1)}},
		{"time", at, "2026-11-26T16:31:42.156123Z"},
		{"struct via JSON", point{X: 3}, map[string]any{"x": int64(3)}},
		{"raw JSON", json.RawMessage(`{"a":[1,2]}`), map[string]any{"a": []any{int64(1), int64(2)}}},
		{"text marshaler", netip.MustParseAddr("127.0.0.1"), "127.0.0.1"},
		{"error", errors.New("boom"), "boom"},
		{"NaN", math.NaN(), events.Unsupported + "NaN"},
		{"+Inf", math.Inf(1), events.Unsupported + "+Inf"},
		{"chan", make(chan int), events.Unsupported + "chan int"},
		{"func", func() {}, events.Unsupported + "func()"},
		{"complex", complex(1, 2), events.Unsupported + "complex128"},
		{"failing marshaler", badMarshaler{}, events.Unsupported + "otelsink.badMarshaler"},
		{"panicking error", panicError{}, events.Unsupported + "otelsink.panicError"},
		{"cycle", cycle, map[string]any{"name": "loop", "self": events.Unsupported + "cycle"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := plain(value(tc.in))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("value(%#v) = %#v, want %#v", tc.in, got, tc.want)
			}
		})
	}
}

func TestValueDepthIsBounded(t *testing.T) {
	var deep any = "bottom"
	for range 100 {
		deep = []any{deep}
	}
	v := plain(value(deep))
	for depth := 0; ; depth++ {
		switch x := v.(type) {
		case []any:
			v = x[0]
			continue
		case string:
			if x != events.Unsupported+"depth" || depth != maxDepth {
				t.Errorf("at depth %d: %q, want the depth placeholder at %d", depth, x, maxDepth)
			}
		}
		break
	}
}

// plain turns an attribute value into plain Go values, nested ones too.
func plain(v attribute.Value) any {
	switch v.Type() {
	case attribute.EMPTY:
		return nil
	case attribute.SLICE:
		var out []any
		for _, e := range v.AsSlice() {
			out = append(out, plain(e))
		}
		return out
	case attribute.MAP:
		out := map[string]any{}
		for _, kv := range v.AsMap() {
			out[string(kv.Key)] = plain(kv.Value)
		}
		return out
	}
	return v.AsInterface()
}
