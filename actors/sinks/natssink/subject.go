package natssink

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/keytemplate"
)

// EmptyValue replaces a subject placeholder whose value is empty in an event
// (no operation, or no such tag), so that a subject never loses a token.
const EmptyValue = keytemplate.EmptyValue

// MaxValueBytes is the most bytes a placeholder's value keeps in a subject;
// a longer value is cut at a character boundary.
const MaxValueBytes = 128

// maxSubjectBytes bounds a rendered subject, well inside the server's
// 4096-byte control line that also carries the reply subject and sizes.
const maxSubjectBytes = 2048

// subjectFields are the placeholders Config.Subject offers: those of
// RabbitMQ's routing key.
const subjectFields = keytemplate.EventType | keytemplate.Operation |
	keytemplate.ModuleName | keytemplate.MethodName | keytemplate.ExecutionID |
	keytemplate.Tag

// maxBoundCache bounds the sink's memory of which subjects the stream binds.
const maxBoundCache = 4096

// subject is a parsed subject template. It is used from the Write goroutine
// only.
type subject struct {
	tmpl *keytemplate.Template
}

// parseSubject parses a template and checks that every subject it can
// render is a valid publish subject. Its errors name the problem but not the
// configuration field; the caller adds that.
func parseSubject(template string) (*subject, error) {
	if template == "" {
		return nil, errors.New("the template is empty")
	}
	t, err := keytemplate.Parse(template, subjectFields)
	if err != nil {
		return nil, err
	}
	shape := t.Skeleton("x")
	for i, tok := range strings.Split(shape, ".") {
		if tok == "" {
			return nil, fmt.Errorf("token %d is empty (a subject cannot start or end with '.' or hold '..')", i+1)
		}
		if j := strings.IndexFunc(tok, badLiteral); j >= 0 {
			r, _ := utf8.DecodeRuneInString(tok[j:])
			return nil, fmt.Errorf("token %d holds %q, which a published subject cannot (no wildcards, spaces or control characters)", i+1, r)
		}
	}
	if n := len(t.Literal()) + t.Placeholders()*MaxValueBytes; n > maxSubjectBytes {
		return nil, fmt.Errorf("a subject could reach %d bytes (%d placeholders of up to %d bytes each), over %d", n, t.Placeholders(), MaxValueBytes, maxSubjectBytes)
	}
	return &subject{tmpl: t}, nil
}

// badLiteral reports a rune a subject's literal text cannot hold.
func badLiteral(r rune) bool {
	return r == '*' || r == '>' || r == utf8.RuneError || unicode.IsSpace(r) || unicode.IsControl(r)
}

// render returns the subject of ev. Subjects already seen come from the
// template's cache, so a steady set of subjects costs no allocation.
func (s *subject) render(ev *events.Event) string { return s.tmpl.Render(ev, appendToken) }

// filter returns the stream subject that binds every subject the template
// renders: each token holding a placeholder becomes '*'.
func (s *subject) filter() string {
	const mark = "\x00"
	toks := strings.Split(s.tmpl.Skeleton(mark), ".")
	for i, tok := range toks {
		if strings.Contains(tok, mark) {
			toks[i] = "*"
		}
	}
	return strings.Join(toks, ".")
}

// String returns the template as configured.
func (s *subject) String() string { return s.tmpl.String() }

// appendToken appends v, which is not empty, as part of one subject token:
// '.', '*', '>', whitespace, control characters and invalid UTF-8 become
// '_', so v can neither add a token nor act as a wildcard; and v is cut to
// at most MaxValueBytes at a character boundary.
func appendToken(b []byte, v string) []byte {
	start := len(b)
	for i := 0; i < len(v); {
		r, size := utf8.DecodeRuneInString(v[i:])
		if len(b)-start+size > MaxValueBytes {
			break
		}
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '_')
		case r == '.' || r == '*' || r == '>' || unicode.IsSpace(r) || unicode.IsControl(r):
			b = append(b, '_')
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return b
}

// subjectMatches reports whether the stream subject filter (which may hold
// the wildcards '*', one token, and a final '>', one or more tokens) binds
// the literal subject subj.
func subjectMatches(filter, subj string) bool {
	for {
		ftok, frest, fmore := strings.Cut(filter, ".")
		if ftok == ">" {
			return subj != ""
		}
		stok, srest, smore := strings.Cut(subj, ".")
		if ftok != "*" && ftok != stok {
			return false
		}
		if fmore != smore {
			return false
		}
		if !fmore {
			return true
		}
		filter, subj = frest, srest
	}
}

// binding remembers which subjects a stream binds, for the Write goroutine.
type binding struct {
	filters []string
	cache   map[string]bool
}

func newBinding(filters []string) *binding {
	return &binding{filters: filters, cache: make(map[string]bool)}
}

// binds reports whether one of the stream's subjects binds subj.
func (b *binding) binds(subj string) bool {
	if ok, seen := b.cache[subj]; seen {
		return ok
	}
	ok := false
	for _, f := range b.filters {
		if subjectMatches(f, subj) {
			ok = true
			break
		}
	}
	if len(b.cache) >= maxBoundCache {
		clear(b.cache)
	}
	b.cache[subj] = ok
	return ok
}
