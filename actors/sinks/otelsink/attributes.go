package otelsink

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/streamll/streamll-go/events"
)

// maxDepth bounds how deeply nested maps and slices are converted, as the
// wire format's encoder bounds them.
const maxDepth = 64

// appendData appends one attribute per entry of data, in key order, skipping
// the keys skip reports.
func appendData(dst []attribute.KeyValue, data map[string]any, skip func(string) bool) []attribute.KeyValue {
	if len(data) == 0 {
		return dst
	}
	keys := make([]string, 0, len(data))
	for k := range data {
		if skip == nil || !skip(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = append(dst, attribute.KeyValue{Key: attribute.Key(k), Value: value(data[k])})
	}
	return dst
}

// appendTags appends one string attribute per tag, in name order.
func appendTags(dst []attribute.KeyValue, tags map[string]string) []attribute.KeyValue {
	if len(tags) == 0 {
		return dst
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		dst = append(dst, attribute.String(k, tags[k]))
	}
	return dst
}

// value converts a data value to an attribute value that an OTLP receiver
// reads back as the JSON wire format would carry it: numbers, strings and
// booleans as themselves, nested maps as key-value lists, slices as arrays,
// nil as an empty value. What JSON cannot carry becomes the same placeholder
// string the wire format uses (events.Unsupported), so a bad value never
// stops a span.
func value(v any) attribute.Value {
	c := converter{}
	return c.value(v, 0)
}

// converter holds the maps and slices being converted, to find cycles.
type converter struct {
	path []uintptr
}

func unsupported(reason string) attribute.Value {
	return attribute.StringValue(events.Unsupported + reason)
}

func (c *converter) value(v any, depth int) attribute.Value {
	switch v := v.(type) {
	case nil:
		return attribute.Value{}
	case string:
		return attribute.StringValue(v)
	case bool:
		return attribute.BoolValue(v)
	case int:
		return attribute.Int64Value(int64(v))
	case int64:
		return attribute.Int64Value(v)
	case int32:
		return attribute.Int64Value(int64(v))
	case float64:
		return float(v)
	case float32:
		return float(float64(v))
	case []string:
		return attribute.StringSliceValue(v)
	case []int64:
		return attribute.Int64SliceValue(v)
	case []int:
		return attribute.IntSliceValue(v)
	case []bool:
		return attribute.BoolSliceValue(v)
	case time.Time:
		return attribute.StringValue(v.UTC().Format(time.RFC3339Nano))
	case *time.Time:
		if v == nil {
			return attribute.Value{}
		}
		return attribute.StringValue(v.UTC().Format(time.RFC3339Nano))
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return attribute.Int64Value(n)
		}
		if f, err := v.Float64(); err == nil {
			return float(f)
		}
		return attribute.StringValue(v.String())
	case json.RawMessage:
		return c.fromJSON(v, depth)
	case json.Marshaler:
		return c.marshaler(v, depth)
	case encoding.TextMarshaler:
		return c.text(v)
	case error:
		return c.errorText(v)
	}
	return c.reflect(reflect.ValueOf(v), depth)
}

func float(f float64) attribute.Value {
	switch {
	case math.IsNaN(f):
		return unsupported("NaN")
	case math.IsInf(f, 1):
		return unsupported("+Inf")
	case math.IsInf(f, -1):
		return unsupported("-Inf")
	}
	return attribute.Float64Value(f)
}

// reflect converts the kinds the type switch does not name: other integer
// and float types, maps and slices of any element type, pointers.
func (c *converter) reflect(rv reflect.Value, depth int) attribute.Value {
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return attribute.Int64Value(rv.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return attribute.Int64Value(int64(u))
		}
		return attribute.StringValue(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		return float(rv.Float())
	case reflect.String:
		return attribute.StringValue(rv.String())
	case reflect.Bool:
		return attribute.BoolValue(rv.Bool())
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return attribute.Value{}
		}
		return c.value(rv.Elem().Interface(), depth)
	case reflect.Map:
		return c.mapValue(rv, depth)
	case reflect.Slice, reflect.Array:
		return c.sliceValue(rv, depth)
	case reflect.Struct:
		return c.viaJSON(rv.Interface(), depth)
	}
	return unsupported(rv.Type().String())
}

// enter reports whether the map or slice at p may be converted at depth,
// recording it on the path, or returns the placeholder that replaces it.
func (c *converter) enter(p uintptr, depth int) (attribute.Value, bool) {
	if depth >= maxDepth {
		return unsupported("depth"), false
	}
	if p != 0 && slices.Contains(c.path, p) {
		return unsupported("cycle"), false
	}
	c.path = append(c.path, p)
	return attribute.Value{}, true
}

func (c *converter) leave() { c.path = c.path[:len(c.path)-1] }

func (c *converter) mapValue(rv reflect.Value, depth int) attribute.Value {
	if rv.IsNil() {
		return attribute.Value{}
	}
	if rv.Type().Key().Kind() != reflect.String {
		return c.viaJSON(rv.Interface(), depth)
	}
	if v, ok := c.enter(rv.Pointer(), depth); !ok {
		return v
	}
	defer c.leave()
	kvs := make([]attribute.KeyValue, 0, rv.Len())
	iter := rv.MapRange()
	for iter.Next() {
		kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(iter.Key().String()), Value: c.value(iter.Value().Interface(), depth+1)})
	}
	slices.SortFunc(kvs, func(a, b attribute.KeyValue) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return attribute.MapValue(kvs...)
}

func (c *converter) sliceValue(rv reflect.Value, depth int) attribute.Value {
	if rv.Kind() == reflect.Slice && rv.IsNil() {
		return attribute.Value{}
	}
	if rv.Type().Elem().Kind() == reflect.Uint8 { // []byte: JSON writes base64 text
		return c.viaJSON(rv.Interface(), depth)
	}
	var p uintptr
	if rv.Kind() == reflect.Slice && rv.Len() > 0 {
		p = rv.Pointer()
	}
	if v, ok := c.enter(p, depth); !ok {
		return v
	}
	defer c.leave()
	vs := make([]attribute.Value, rv.Len())
	for i := range vs {
		vs[i] = c.value(rv.Index(i).Interface(), depth+1)
	}
	return attribute.SliceValue(vs...)
}

// viaJSON converts what only encoding/json knows how to write (structs,
// maps with non-string keys, byte slices) through its JSON text.
func (c *converter) viaJSON(v any, depth int) (out attribute.Value) {
	defer func() {
		if recover() != nil {
			out = unsupported(fmt.Sprintf("%T", v))
		}
	}()
	raw, err := json.Marshal(v)
	if err != nil {
		return unsupported(fmt.Sprintf("%T", v))
	}
	return c.fromJSON(raw, depth)
}

func (c *converter) marshaler(m json.Marshaler, depth int) (out attribute.Value) {
	defer func() {
		if recover() != nil {
			out = unsupported(fmt.Sprintf("%T", m))
		}
	}()
	if rv := reflect.ValueOf(m); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return attribute.Value{}
	}
	raw, err := m.MarshalJSON()
	if err != nil {
		return unsupported(fmt.Sprintf("%T", m))
	}
	return c.fromJSON(raw, depth)
}

func (c *converter) text(m encoding.TextMarshaler) (out attribute.Value) {
	defer func() {
		if recover() != nil {
			out = unsupported(fmt.Sprintf("%T", m))
		}
	}()
	if rv := reflect.ValueOf(m); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return attribute.Value{}
	}
	b, err := m.MarshalText()
	if err != nil {
		return unsupported(fmt.Sprintf("%T", m))
	}
	return attribute.StringValue(string(b))
}

func (c *converter) errorText(err error) (out attribute.Value) {
	defer func() {
		if recover() != nil {
			out = unsupported(fmt.Sprintf("%T", err))
		}
	}()
	if rv := reflect.ValueOf(err); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return attribute.Value{}
	}
	return attribute.StringValue(err.Error())
}

// fromJSON converts JSON text, whole numbers as integers.
func (c *converter) fromJSON(raw []byte, depth int) attribute.Value {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return unsupported("invalid JSON")
	}
	return c.value(v, depth)
}
