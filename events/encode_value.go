package events

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// maxDepth is how many maps and slices may nest inside Event.Data, counting
// Data itself. A container deeper than that is written as "!unsupported:depth".
const maxDepth = 64

// The placeholder reasons that are not a Go type name.
const (
	reasonNaN    = "NaN"
	reasonPosInf = "+Inf"
	reasonNegInf = "-Inf"
	reasonCycle  = "cycle"
	reasonDepth  = "depth"
)

// container identifies a map (n < 0) or a slice (its length n) on the path
// from Event.Data to the value being encoded.
type container struct {
	p unsafe.Pointer
	n int
}

// valueEncoder writes the values of Event.Data. It tracks the maps and slices
// on the current path, so a container that holds itself is written once and
// its reappearance as "!unsupported:cycle", and the recursion stays bounded.
type valueEncoder struct {
	depth int
	path  [maxDepth]container
}

// enter pushes a non-empty container onto the path. It returns the reason for
// a placeholder instead, when the container is already on the path or the path
// is full; the caller then must not call leave.
func (e *valueEncoder) enter(p unsafe.Pointer, n int) string {
	if e.depth == maxDepth {
		return reasonDepth
	}
	for _, c := range e.path[:e.depth] {
		if c == (container{p, n}) {
			return reasonCycle
		}
	}
	e.path[e.depth] = container{p, n}
	e.depth++
	return ""
}

func (e *valueEncoder) leave() { e.depth-- }

// appendValue appends v as JSON. Common types are written directly, without
// reflection; the rest go through encoding/json. Nothing v holds can make it
// fail or panic: what JSON cannot carry becomes a placeholder string.
func (e *valueEncoder) appendValue(dst []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return appendString(dst, v)
	case bool:
		return strconv.AppendBool(dst, v)
	case int:
		return strconv.AppendInt(dst, int64(v), 10)
	case int8:
		return strconv.AppendInt(dst, int64(v), 10)
	case int16:
		return strconv.AppendInt(dst, int64(v), 10)
	case int32:
		return strconv.AppendInt(dst, int64(v), 10)
	case int64:
		return strconv.AppendInt(dst, v, 10)
	case uint:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint8:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint16:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint32:
		return strconv.AppendUint(dst, uint64(v), 10)
	case uint64:
		return strconv.AppendUint(dst, v, 10)
	case uintptr:
		return strconv.AppendUint(dst, uint64(v), 10)
	case float64:
		return appendFloat(dst, v, 64)
	case float32:
		return appendFloat(dst, float64(v), 32)
	case map[string]any:
		if v == nil {
			return append(dst, "null"...)
		}
		return e.appendMap(dst, v)
	case map[string]string:
		if v == nil {
			return append(dst, "null"...)
		}
		return appendStringMap(dst, v)
	case []any:
		return e.appendSlice(dst, v)
	case []string:
		return appendList(dst, v, appendString)
	case []int:
		return appendList(dst, v, appendInt)
	case []float64:
		return appendList(dst, v, appendFloat64)
	case time.Time:
		return appendTimestamp(dst, v)
	case *time.Time:
		if v == nil {
			return append(dst, "null"...)
		}
		return appendTimestamp(dst, *v)
	case json.RawMessage:
		return appendRawMessage(dst, v)
	case json.Marshaler:
		return appendMarshaler(dst, v)
	case encoding.TextMarshaler:
		return appendTextMarshaler(dst, v)
	case error:
		return appendError(dst, v)
	}
	return appendFallback(dst, v)
}

// appendMap appends m as a JSON object with its keys sorted.
func (e *valueEncoder) appendMap(dst []byte, m map[string]any) []byte {
	if len(m) == 0 {
		return append(dst, '{', '}')
	}
	if reason := e.enter(reflect.ValueOf(m).UnsafePointer(), -1); reason != "" {
		return appendUnsupported(dst, reason)
	}
	var stack [16]entry[any]
	dst = append(dst, '{')
	for i, en := range sortedEntries(stack[:0], m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, en.key)
		dst = append(dst, ':')
		dst = e.appendValue(dst, en.val)
	}
	e.leave()
	return append(dst, '}')
}

// appendSlice appends s as a JSON array; a nil slice is null, as in encoding/json.
func (e *valueEncoder) appendSlice(dst []byte, s []any) []byte {
	if len(s) == 0 {
		return appendEmptyList(dst, s == nil)
	}
	if reason := e.enter(unsafe.Pointer(unsafe.SliceData(s)), len(s)); reason != "" {
		return appendUnsupported(dst, reason)
	}
	dst = append(dst, '[')
	for i, v := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = e.appendValue(dst, v)
	}
	e.leave()
	return append(dst, ']')
}

// appendStringMap appends m as a JSON object with its keys sorted; a nil map
// is written as {}.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if len(m) == 0 {
		return append(dst, '{', '}')
	}
	var stack [16]entry[string]
	dst = append(dst, '{')
	for i, en := range sortedEntries(stack[:0], m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendKey(dst, en.key)
		dst = append(dst, ':')
		dst = appendString(dst, en.val)
	}
	return append(dst, '}')
}

// entry is one key and value of a map, for writing the map in key order.
type entry[V any] struct {
	key string
	val V
}

// sortedEntries appends the entries of m to es, which is usually backed by an
// array on the caller's stack, and sorts them by key. Collecting the values
// while iterating saves looking each key up again.
func sortedEntries[V any](es []entry[V], m map[string]V) []entry[V] {
	for k, v := range m {
		es = append(es, entry[V]{k, v})
	}
	if len(es) > 12 {
		slices.SortFunc(es, func(a, b entry[V]) int { return strings.Compare(a.key, b.key) })
		return es
	}
	// Insertion sort: events rarely carry more than a handful of keys.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0 && es[j].key < es[j-1].key; j-- {
			es[j], es[j-1] = es[j-1], es[j]
		}
	}
	return es
}

// appendList appends a slice of scalars as a JSON array; nil is null.
func appendList[T any](dst []byte, s []T, appendElem func([]byte, T) []byte) []byte {
	if len(s) == 0 {
		return appendEmptyList(dst, s == nil)
	}
	dst = append(dst, '[')
	for i, v := range s {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendElem(dst, v)
	}
	return append(dst, ']')
}

func appendEmptyList(dst []byte, isNil bool) []byte {
	if isNil {
		return append(dst, "null"...)
	}
	return append(dst, '[', ']')
}

func appendInt(dst []byte, v int) []byte { return strconv.AppendInt(dst, int64(v), 10) }

func appendFloat64(dst []byte, f float64) []byte { return appendFloat(dst, f, 64) }

// appendFloat appends f as encoding/json does: the shortest representation
// that reads back as the same value, in exponent form only below 1e-6 or from
// 1e21 up. NaN and the infinities become placeholders.
func appendFloat(dst []byte, f float64, bits int) []byte {
	switch {
	case math.IsNaN(f):
		return appendUnsupported(dst, reasonNaN)
	case math.IsInf(f, 1):
		return appendUnsupported(dst, reasonPosInf)
	case math.IsInf(f, -1):
		return appendUnsupported(dst, reasonNegInf)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		if bits == 64 && (a < 1e-6 || a >= 1e21) ||
			bits == 32 && (float32(a) < 1e-6 || float32(a) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// strconv pads a negative exponent to two digits ("1e-07");
		// encoding/json writes the short form ("1e-7").
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

// appendUnsupported appends the placeholder string for a value JSON cannot
// carry.
func appendUnsupported(dst []byte, reason string) []byte {
	return appendString(dst, Unsupported+reason)
}

// appendUnsupportedType appends the placeholder naming the Go type of v.
func appendUnsupportedType(dst []byte, v any) []byte {
	return appendUnsupported(dst, reflect.TypeOf(v).String())
}

// isNilPointer reports whether v holds a nil pointer. encoding/json writes
// null for a nil pointer instead of calling its MarshalJSON or MarshalText, and
// so does this package, for those and for Error.
func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

func appendRawMessage(dst []byte, raw json.RawMessage) []byte {
	if raw == nil {
		return append(dst, "null"...)
	}
	if !json.Valid(raw) {
		return appendUnsupportedType(dst, raw)
	}
	return appendCompactJSON(dst, raw)
}

func appendMarshaler(dst []byte, m json.Marshaler) []byte {
	if isNilPointer(m) {
		return append(dst, "null"...)
	}
	raw, ok := guard(m.MarshalJSON)
	if !ok || !json.Valid(raw) {
		return appendUnsupportedType(dst, m)
	}
	return appendCompactJSON(dst, raw)
}

func appendTextMarshaler(dst []byte, m encoding.TextMarshaler) []byte {
	if isNilPointer(m) {
		return append(dst, "null"...)
	}
	text, ok := guard(m.MarshalText)
	if !ok {
		return appendUnsupportedType(dst, m)
	}
	return appendString(dst, string(text))
}

// appendError writes an error as its message: most error types have no
// exported fields, so encoding/json would write {}.
func appendError(dst []byte, err error) []byte {
	if isNilPointer(err) {
		return append(dst, "null"...)
	}
	msg, ok := guard(func() (string, error) { return err.Error(), nil })
	if !ok {
		return appendUnsupportedType(dst, err)
	}
	return appendString(dst, msg)
}

// appendFallback encodes v with encoding/json, without HTML escaping so the
// output matches the rest of the event. An error or a panic makes the value a
// placeholder naming its type: channels, functions, complex numbers, unsafe
// pointers and anything holding them end up there.
func appendFallback(dst []byte, v any) []byte {
	raw, ok := guard(func() ([]byte, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode(v)
		return buf.Bytes(), err
	})
	if !ok {
		return appendUnsupportedType(dst, v)
	}
	return appendCompactJSON(dst, raw)
}

// guard calls f, turning a panic into failure. It is the reason user methods
// (MarshalJSON, MarshalText, Error) cannot take an event down with them.
func guard[T any](f func() (T, error)) (result T, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	result, err := f()
	return result, err == nil
}
