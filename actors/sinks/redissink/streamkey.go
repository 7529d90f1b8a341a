package redissink

import (
	"errors"
	"fmt"
	"strings"

	"github.com/streamll/streamll-go/events"
)

// emptyValue replaces a placeholder whose value is empty in an event (an
// event without an operation, or without the tag a template names), so that
// such events share one visible stream instead of producing keys like
// "events:" that are easy to miss.
const emptyValue = "unknown"

// maxCachedKeys bounds the cache of rendered stream keys. Templates over tags
// can name unboundedly many streams; past this many the cache starts over.
const maxCachedKeys = 4096

// noEvent stands in for a nil event, whose placeholders are all empty.
var noEvent events.Event

// field names what a placeholder reads from an event.
type field int

const (
	literal field = iota
	eventType
	operation
	moduleName
	methodName
	tag
)

// segment is one piece of a parsed stream-key template: literal text, or a
// placeholder (with the tag's name for {tag:NAME}).
type segment struct {
	field field
	text  string
}

// streamKey is a parsed StreamKey: either one fixed key or a template that
// names a key per event.
type streamKey struct {
	raw      string    // as configured, for the sink's name
	fixed    string    // the key when there are no placeholders
	segments []segment // nil when the key is fixed
	buf      []byte
	cache    map[string]string
}

// parseStreamKey parses a stream key. Placeholders are {event_type},
// {operation}, {module_name}, {method_name} and {tag:NAME}; "{{" and "}}"
// stand for literal braces (as in a Redis Cluster hash tag). Anything else in
// braces is an error, reported here so that it never surfaces at write time.
func parseStreamKey(raw string) (*streamKey, error) {
	k := &streamKey{raw: raw}
	var lit strings.Builder
	placeholders := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '{' && i+1 < len(raw) && raw[i+1] == '{', c == '}' && i+1 < len(raw) && raw[i+1] == '}':
			lit.WriteByte(c)
			i++
		case c == '}':
			return nil, fmt.Errorf("unmatched '}' at offset %d (write '}}' for a literal brace)", i)
		case c == '{':
			end := strings.IndexByte(raw[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated placeholder at offset %d (write '{{' for a literal brace)", i)
			}
			seg, err := parsePlaceholder(raw[i+1 : i+1+end])
			if err != nil {
				return nil, err
			}
			if lit.Len() > 0 {
				k.segments = append(k.segments, segment{field: literal, text: lit.String()})
				lit.Reset()
			}
			k.segments = append(k.segments, seg)
			placeholders++
			i += end + 1
		default:
			lit.WriteByte(c)
		}
	}
	if placeholders == 0 {
		k.fixed = lit.String()
		return k, nil
	}
	if lit.Len() > 0 {
		k.segments = append(k.segments, segment{field: literal, text: lit.String()})
	}
	k.cache = make(map[string]string)
	return k, nil
}

func parsePlaceholder(name string) (segment, error) {
	switch name {
	case "event_type":
		return segment{field: eventType}, nil
	case "operation":
		return segment{field: operation}, nil
	case "module_name":
		return segment{field: moduleName}, nil
	case "method_name":
		return segment{field: methodName}, nil
	}
	if tagName, ok := strings.CutPrefix(name, "tag:"); ok {
		if tagName == "" {
			return segment{}, errors.New("placeholder {tag:} names no tag")
		}
		return segment{field: tag, text: tagName}, nil
	}
	return segment{}, fmt.Errorf("unknown placeholder {%s} (known: {event_type} {operation} {module_name} {method_name} {tag:NAME}; write {{ and }} for literal braces)", name)
}

// templated reports whether the key depends on the event.
func (k *streamKey) templated() bool { return k.segments != nil }

// key returns the stream key for ev. Rendered keys are cached, so a steady set
// of streams costs no allocation per event. Not safe for concurrent use.
func (k *streamKey) key(ev *events.Event) string {
	if k.segments == nil {
		return k.fixed
	}
	if ev == nil {
		ev = &noEvent
	}
	b := k.buf[:0]
	for _, s := range k.segments {
		var v string
		switch s.field {
		case literal:
			b = append(b, s.text...)
			continue
		case eventType:
			v = string(ev.EventType)
		case operation:
			v = ev.Operation
		case moduleName:
			v = ev.ModuleName
		case methodName:
			v = ev.MethodName
		case tag:
			v = ev.Tags[s.text]
		}
		if v == "" {
			v = emptyValue
		}
		b = append(b, v...)
	}
	k.buf = b
	if key, ok := k.cache[string(b)]; ok {
		return key
	}
	if len(k.cache) >= maxCachedKeys {
		clear(k.cache)
	}
	key := string(b)
	k.cache[key] = key
	return key
}
