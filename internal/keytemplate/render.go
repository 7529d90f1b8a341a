package keytemplate

import "github.com/streamll/streamll-go/events"

// maxCachedKeys bounds a template's cache of rendered keys.
const maxCachedKeys = 4096

// noEvent stands in for a nil event, whose values are all empty.
var noEvent events.Event

// AppendFunc appends the placeholder value v, never empty, to dst and returns
// the extended slice, as the append functions of strconv do. It lets a caller
// rewrite values (escape them, cut them) without allocating. It must not keep
// dst.
type AppendFunc func(dst []byte, v string) []byte

// Render returns the key of ev: the literal text with each placeholder
// replaced by ev's value, EmptyValue for an empty one, passed through
// appendValue unless that is nil. A fixed template returns its key. Keys
// already rendered come from the cache, so rendering one allocates nothing.
// Render is not safe for concurrent use.
func (t *Template) Render(ev *events.Event, appendValue AppendFunc) string {
	if t.segments == nil {
		return t.literal
	}
	if ev == nil {
		ev = &noEvent
	}
	b := t.buf[:0]
	for _, s := range t.segments {
		if s.field == 0 {
			b = append(b, s.text...)
			continue
		}
		switch v := s.field.value(ev, s.text); {
		case v == "":
			b = append(b, EmptyValue...)
		case appendValue == nil:
			b = append(b, v...)
		default:
			b = appendValue(b, v)
		}
	}
	t.buf = b
	if key, ok := t.cache[string(b)]; ok {
		return key
	}
	if len(t.cache) >= maxCachedKeys {
		clear(t.cache)
	}
	key := string(b)
	t.cache[key] = key
	return key
}
