// Package capture decides, per sink, how much of an event's content that
// sink may keep: full prompts and completions in the terminal while
// developing, masked ones in Redis, only hashes in the audit trail.
//
// A [Policy] drops data keys, hashes their values, masks what its patterns
// find in string values (e-mail addresses, card numbers, or your own),
// truncates long strings, and finally hands the event to a function of
// yours. [Policy.Transform] compiles it into the function a sink's host
// applies to each event before the sink sees it:
//
//	audit, err := capture.Policy{
//		Hash: capture.ContentKeys,
//	}.Transform()
//	// rabbitmqsink.Config{Options: sinks.Options{Transform: audit}, ...}
//
// # The shared event is never modified
//
// One event is delivered to every sink, so a transform must not change it.
// A Policy's transform copies on write: when no rule changes anything it
// returns the same pointer, at no cost; otherwise it returns a new event
// whose Data is a new map (and whose nested maps and slices are new where
// they changed), leaving the original and everything it holds as they
// were. Tags, and values no rule touched, are shared with the original, so
// a Policy.Func must not modify them either: it returns the event it got, a
// new one (Clone makes a copy it may change), or nil.
//
// # Keys
//
// Drop, Hash and MaskKeys name data keys exactly, or end in "*" to match a
// prefix ("http.response.header.*"); "*" alone matches every key. Mask and
// Truncate reach into nested maps and slices (a tool call's arguments in
// tool_calls) as well as top-level strings.
package capture
