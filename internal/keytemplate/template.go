package keytemplate

import (
	"errors"
	"fmt"
	"strings"
)

// EmptyValue is what a placeholder renders as when the event's value is
// empty.
const EmptyValue = "unknown"

// segment is one piece of a parsed template: literal text (field 0), or a
// placeholder reading field (text is the tag's name for {tag:NAME}).
type segment struct {
	field Fields
	text  string
}

// Template is a parsed key template. Make one with Parse. Its methods other
// than Render only read it; Render is not safe for concurrent use.
type Template struct {
	raw          string
	literal      string    // every literal byte, braces unescaped
	segments     []segment // nil when the template is fixed
	placeholders int
	buf          []byte
	cache        map[string]string
}

// Parse parses raw, accepting the placeholders of the fields in allowed. Its
// errors describe the problem in raw (offset, placeholder) but not which
// setting raw came from; the caller adds that. An empty raw is a fixed, empty
// key: a caller that needs a key rejects it itself.
func Parse(raw string, allowed Fields) (*Template, error) {
	t := &Template{raw: raw}
	var run []byte // the literal text since the last placeholder
	flush := func() {
		if len(run) > 0 {
			t.segments = append(t.segments, segment{text: string(run)})
			run = run[:0]
		}
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case (c == '{' || c == '}') && i+1 < len(raw) && raw[i+1] == c:
			run = append(run, c)
			i++
		case c == '}':
			return nil, fmt.Errorf("unmatched '}' at offset %d (write '}}' for a literal brace)", i)
		case c == '{':
			end := strings.IndexByte(raw[i+1:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unterminated placeholder at offset %d (write '{{' for a literal brace)", i)
			}
			seg, err := parsePlaceholder(raw[i+1:i+1+end], allowed)
			if err != nil {
				return nil, err
			}
			flush()
			t.segments = append(t.segments, seg)
			t.placeholders++
			i += end + 1
		default:
			run = append(run, c)
		}
	}
	if t.placeholders == 0 {
		t.literal = string(run)
		return t, nil
	}
	flush()
	var lit strings.Builder
	for _, s := range t.segments {
		if s.field == 0 {
			lit.WriteString(s.text)
		}
	}
	t.literal = lit.String()
	t.cache = make(map[string]string)
	return t, nil
}

// parsePlaceholder parses the name between a placeholder's braces.
func parsePlaceholder(name string, allowed Fields) (segment, error) {
	if name == "" {
		return segment{}, errors.New("unknown placeholder {}: an empty placeholder names no field (write '{{}}' for literal braces)")
	}
	if tag, ok := strings.CutPrefix(name, "tag:"); ok && allowed&Tag != 0 {
		if tag == "" {
			return segment{}, errors.New("placeholder {tag:} names no tag")
		}
		return segment{field: Tag, text: tag}, nil
	}
	for _, p := range placeholderNames {
		if p.name == name && allowed&p.field != 0 {
			return segment{field: p.field}, nil
		}
	}
	var known strings.Builder
	for _, p := range placeholderNames {
		if allowed&p.field != 0 {
			fmt.Fprintf(&known, " {%s}", p.name)
		}
	}
	return segment{}, fmt.Errorf("unknown placeholder {%s} (known:%s)", name, known.String())
}

// Fixed returns the key and true when the template has no placeholder, so
// that every event has the same key; otherwise "" and false.
func (t *Template) Fixed() (string, bool) {
	if t.segments == nil {
		return t.literal, true
	}
	return "", false
}

// Literal returns the template's literal text: everything but its
// placeholders, with "{{" and "}}" as single braces. For a fixed template it
// is the key.
func (t *Template) Literal() string { return t.literal }

// Placeholders returns how many placeholders the template has; a tag or field
// named twice counts twice.
func (t *Template) Placeholders() int { return t.placeholders }

// String returns the template as it was given to Parse.
func (t *Template) String() string { return t.raw }

// Skeleton returns the template with every placeholder replaced by
// placeholder and the literal text as it is ("{{" and "}}" as single
// braces), so that a caller can check the shape of every key the template
// can render, such as where its separators fall.
func (t *Template) Skeleton(placeholder string) string {
	if t.segments == nil {
		return t.literal
	}
	var b strings.Builder
	for _, s := range t.segments {
		if s.field == 0 {
			b.WriteString(s.text)
		} else {
			b.WriteString(placeholder)
		}
	}
	return b.String()
}
