// Package events defines the value streamll-go streams: one [Event] per LLM call,
// retrieval step, tool call, streamed token or error, and its JSON wire format.
//
// The wire format (version 1) is one JSON object per event with the fields
// event_id, execution_id, parent_id (omitted at the top level), timestamp,
// module_name, method_name, event_type, operation, data and tags. It is
// byte-compatible with the consumers written for the Python streamll: data and
// tags are always objects, never null, and timestamps are RFC 3339 in UTC with
// microseconds.
//
// # Encoding
//
// [AppendJSON] writes the fields in that order, compact, with the keys of data
// and tags sorted, so the same event always gives the same bytes. Timestamps
// have exactly six fractional digits and a trailing Z
// ("2026-11-26T16:31:42.156123Z"). It is written for the hot path: with a reused
// buffer and common data it does not allocate.
//
// Strings are escaped as encoding/json escapes them, except that <, > and & are
// written as they are: the wire format is not HTML, and every JSON reader
// (Python's json.loads included) reads both forms. U+2028 and U+2029 are
// escaped. Each byte that is not part of valid UTF-8, in a value, a key or a
// tag, becomes U+FFFD. A data or tag key that needed that repair is also
// marked with its original bytes ("k\xff" is written "k\ufffd#x6bff"), so
// that two keys differing only in invalid bytes stay two keys.
//
// Data values are written directly, without encoding/json, when they are
// strings, booleans, integers and floats of any size, nil, map[string]any,
// map[string]string, []any, []string, []int, []float64 or time.Time and
// *time.Time (in the timestamp format above). Then, in this order: a json.RawMessage is checked and compacted; a
// json.Marshaler's output is checked and compacted; an encoding.TextMarshaler
// becomes its text; an error becomes its Error text (most error types have no
// exported fields, so encoding/json would write {}). A nil pointer, map or
// slice inside data is null, as in encoding/json. Anything else is encoded by encoding/json (without HTML
// escaping). fmt.Stringer is deliberately not consulted: a String method is
// written for people, and encoding/json ignores it too; call String yourself
// if that is the form you want on the wire.
//
// # Values JSON cannot carry
//
// Encoding never fails and never panics. A value JSON cannot carry is replaced
// by a placeholder string starting with [Unsupported], so the event is still
// delivered and the problem is visible to whoever reads it:
//
//   - NaN, +Inf, -Inf: "!unsupported:NaN", "!unsupported:+Inf", "!unsupported:-Inf";
//   - a map or slice that contains itself: its reappearance is "!unsupported:cycle";
//   - maps and slices nested more than 64 deep (counting data itself): "!unsupported:depth";
//   - anything encoding/json rejects (a channel, a function, a complex number, an
//     unsafe pointer, or a value holding one), a MarshalJSON or MarshalText that
//     fails, panics or returns invalid JSON, an Error method that panics:
//     "!unsupported:" and the Go type, such as "!unsupported:chan int".
//
// # Decoding
//
// [Unmarshal] reads wire format v1 and what the Python streamll writes (a null
// operation, a space instead of T in the timestamp). Data values come back as
// encoding/json decodes into an any: numbers are float64, objects
// map[string]any, arrays []any. A null data or tags is a nil map. Errors wrap
// [ErrInvalidEvent] and name the field at fault.
//
// This package knows nothing about actors, buses or backends; it depends on the
// standard library only.
package events
