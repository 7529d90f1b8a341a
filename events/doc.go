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
// Encoding never fails and never panics. A value JSON cannot carry (NaN, an
// infinity, a channel, a function, a cycle) is replaced by a marked placeholder
// string, see [Unsupported], so the event is still delivered and the problem is
// visible to whoever reads it. Invalid UTF-8 is replaced by U+FFFD.
//
// This package knows nothing about actors, buses or backends; it depends on the
// standard library only.
package events
