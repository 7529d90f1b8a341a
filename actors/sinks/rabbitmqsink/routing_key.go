package rabbitmqsink

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/keytemplate"
)

// MaxRoutingKeyBytes is AMQP's limit on a routing key (a short string).
const MaxRoutingKeyBytes = 255

// EmptyValue replaces a routing-key placeholder whose value is empty in an
// event (no operation, or no such tag), so that a key never loses a word.
const EmptyValue = keytemplate.EmptyValue

// minValueBytes is the least room a template must leave each placeholder.
const minValueBytes = 16

// routingKeyFields are the placeholders Config.RoutingKey offers.
const routingKeyFields = keytemplate.EventType | keytemplate.Operation |
	keytemplate.ModuleName | keytemplate.MethodName | keytemplate.ExecutionID |
	keytemplate.Tag

// routingKey is a parsed routing-key template with the byte budget of each
// value. It is used from the Write goroutine only.
type routingKey struct {
	tmpl *keytemplate.Template
	word keytemplate.AppendFunc // appendWord cut to the budget, made once so render allocates nothing
}

// parseRoutingKey parses a template. Its errors name the problem but not the
// configuration field; the caller adds that.
func parseRoutingKey(template string) (*routingKey, error) {
	if template == "" {
		return nil, errors.New("the template is empty")
	}
	t, err := keytemplate.Parse(template, routingKeyFields)
	if err != nil {
		return nil, err
	}
	literalBytes, holes := len(t.Literal()), t.Placeholders()
	if literalBytes > MaxRoutingKeyBytes {
		return nil, fmt.Errorf("the literal text is %d bytes, over AMQP's %d-byte limit", literalBytes, MaxRoutingKeyBytes)
	}
	k := &routingKey{tmpl: t}
	if holes == 0 {
		return k, nil
	}
	maxValue := (MaxRoutingKeyBytes - literalBytes) / holes
	if maxValue < minValueBytes {
		return nil, fmt.Errorf("%d placeholders and %d literal bytes leave %d bytes per value; a routing key holds %d bytes and each value needs at least %d",
			holes, literalBytes, maxValue, MaxRoutingKeyBytes, minValueBytes)
	}
	k.word = func(b []byte, v string) []byte { return appendWord(b, v, maxValue) }
	return k, nil
}

// fixed returns the key and true when the template has no placeholder.
func (k *routingKey) fixed() (string, bool) { return k.tmpl.Fixed() }

// render returns the routing key of ev. Keys already seen are served from a
// cache, so a steady set of keys costs no allocation.
func (k *routingKey) render(ev *events.Event) string { return k.tmpl.Render(ev, k.word) }

// appendWord appends v, which is not empty, as one routing-key word: '.',
// '*', '#', whitespace, control characters and invalid UTF-8 become '_', so v
// can neither add a word nor act as a wildcard; and v is cut to at most limit
// bytes at a character boundary. limit is at least minValueBytes, so a word
// always keeps its first character.
func appendWord(b []byte, v string, limit int) []byte {
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
