package sinks

import (
	"slices"

	"github.com/streamll/streamll-go/events"
)

// Filter decides which events a sink receives. A nil Filter accepts every
// event. Filters run on the bus's router for every event and sink, and on the
// producer's goroutine for an event Emit cannot take (a full intake, a closed
// bus), to count it for the sinks that would have received it; so they must be
// fast, must not block, must not modify the event, and must be safe for
// concurrent use.
type Filter func(ev *events.Event) bool

// Types returns a filter accepting events of the given types, such as
// Types(events.TypeError) for an alerts sink.
func Types(types ...events.Type) Filter {
	set := slices.Clone(types)
	return func(ev *events.Event) bool { return slices.Contains(set, ev.EventType) }
}

// TagEquals returns a filter accepting events whose tag key equals value.
func TagEquals(key, value string) Filter {
	return func(ev *events.Event) bool {
		v, ok := ev.Tags[key]
		return ok && v == value
	}
}

// All returns a filter accepting events every filter accepts (nil filters
// accept everything).
func All(filters ...Filter) Filter {
	fs := slices.DeleteFunc(slices.Clone(filters), func(f Filter) bool { return f == nil })
	return func(ev *events.Event) bool {
		for _, f := range fs {
			if !f(ev) {
				return false
			}
		}
		return true
	}
}
