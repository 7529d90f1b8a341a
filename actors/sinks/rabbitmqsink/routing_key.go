package rabbitmqsink

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

// MaxRoutingKeyBytes is AMQP's limit on a routing key (a short string).
const MaxRoutingKeyBytes = 255

// EmptyValue replaces a routing-key placeholder whose value is empty in an
// event (no operation, or no such tag), so that a key never loses a word.
const EmptyValue = "unknown"

// minValueBytes is the least room a template must leave each placeholder.
const minValueBytes = 16

// maxCachedKeys bounds the cache of rendered keys; a template over execution
// ids or tags can name unboundedly many, and past this many it starts over.
const maxCachedKeys = 4096

// keyField names what a routing-key segment holds.
type keyField uint8

const (
	fieldLiteral keyField = iota
	fieldEventType
	fieldOperation
	fieldModuleName
	fieldMethodName
	fieldExecutionID
	fieldTag
)

// placeholders maps the name inside braces to the field it reads.
var placeholders = map[string]keyField{
	"event_type":   fieldEventType,
	"operation":    fieldOperation,
	"module_name":  fieldModuleName,
	"method_name":  fieldMethodName,
	"execution_id": fieldExecutionID,
}

// keySegment is literal text or a placeholder (text is the tag's name for
// {tag:NAME}).
type keySegment struct {
	field keyField
	text  string
}

// routingKey is a parsed routing-key template. It is used from the Write
// goroutine only.
type routingKey struct {
	template string
	fixed    string       // the key when the template has no placeholder
	segments []keySegment // nil when fixed
	maxValue int          // bytes a substituted value may take
	buf      []byte
	cache    map[string]string
}

// parseRoutingKey parses a template. Its errors name the problem but not the
// configuration field; the caller adds that.
func parseRoutingKey(template string) (*routingKey, error) {
	if template == "" {
		return nil, errors.New("the template is empty")
	}
	k := &routingKey{template: template}
	var lit []byte
	literalBytes, holes := 0, 0
	flush := func() {
		if len(lit) > 0 {
			k.segments = append(k.segments, keySegment{field: fieldLiteral, text: string(lit)})
			literalBytes += len(lit)
			lit = lit[:0]
		}
	}
	for i := 0; i < len(template); i++ {
		c := template[i]
		switch {
		case (c == '{' || c == '}') && i+1 < len(template) && template[i+1] == c:
			lit = append(lit, c)
			i++
		case c == '}':
			return nil, fmt.Errorf("unmatched '}' at offset %d (write '}}' for a literal brace)", i)
		case c == '{':
			end := strings.IndexByte(template[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated placeholder at offset %d (write '{{' for a literal brace)", i)
			}
			seg, err := parsePlaceholder(template[i+1 : i+1+end])
			if err != nil {
				return nil, err
			}
			flush()
			k.segments = append(k.segments, seg)
			holes++
			i += end + 1
		default:
			lit = append(lit, c)
		}
	}
	flush()
	if literalBytes > MaxRoutingKeyBytes {
		return nil, fmt.Errorf("the literal text is %d bytes, over AMQP's %d-byte limit", literalBytes, MaxRoutingKeyBytes)
	}
	if holes == 0 {
		k.fixed = k.segments[0].text
		k.segments = nil
		return k, nil
	}
	k.maxValue = (MaxRoutingKeyBytes - literalBytes) / holes
	if k.maxValue < minValueBytes {
		return nil, fmt.Errorf("%d placeholders and %d literal bytes leave %d bytes per value; a routing key holds %d bytes and each value needs at least %d",
			holes, literalBytes, k.maxValue, MaxRoutingKeyBytes, minValueBytes)
	}
	k.cache = make(map[string]string)
	return k, nil
}

func parsePlaceholder(name string) (keySegment, error) {
	if f, ok := placeholders[name]; ok {
		return keySegment{field: f}, nil
	}
	if tag, ok := strings.CutPrefix(name, "tag:"); ok {
		if tag == "" {
			return keySegment{}, errors.New("placeholder {tag:} names no tag")
		}
		return keySegment{field: fieldTag, text: tag}, nil
	}
	if name == "" {
		return keySegment{}, errors.New("empty placeholder {} (write '{{}}' for literal braces)")
	}
	return keySegment{}, fmt.Errorf("unknown placeholder {%s} (known: {event_type} {operation} {module_name} {method_name} {execution_id} {tag:NAME})", name)
}

// templated reports whether the key depends on the event.
func (k *routingKey) templated() bool { return k.segments != nil }

// render returns the routing key of ev. Keys already seen are served from a
// cache, so a steady set of keys costs no allocation.
func (k *routingKey) render(ev *events.Event) string {
	if k.segments == nil {
		return k.fixed
	}
	b := k.buf[:0]
	for _, seg := range k.segments {
		if seg.field == fieldLiteral {
			b = append(b, seg.text...)
			continue
		}
		b = appendValue(b, seg.value(ev), k.maxValue)
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

func (seg keySegment) value(ev *events.Event) string {
	switch seg.field {
	case fieldEventType:
		return string(ev.EventType)
	case fieldOperation:
		return ev.Operation
	case fieldModuleName:
		return ev.ModuleName
	case fieldMethodName:
		return ev.MethodName
	case fieldExecutionID:
		return ev.ExecutionID
	case fieldTag:
		return ev.Tags[seg.text]
	}
	return ""
}

// appendValue appends v as one routing-key word: '.', '*', '#', whitespace,
// control characters and invalid UTF-8 become '_', so v can neither add a
// word nor act as a wildcard; v is cut to at most limit bytes at a character
// boundary; and an empty v becomes EmptyValue.
func appendValue(b []byte, v string, limit int) []byte {
	if v == "" {
		return append(b, EmptyValue...)
	}
	start := len(b)
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		if len(b)-start+size > limit {
			break
		}
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '_')
		case r == '.' || r == '*' || r == '#' || unicode.IsSpace(r) || unicode.IsControl(r):
			b = append(b, '_')
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return b
}
