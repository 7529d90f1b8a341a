package capture

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// ContentKeys are the data keys that carry what was said to and by an LLM:
// streamed tokens, the prompt, the completion, and the tool calls (whose
// arguments are content too).
var ContentKeys = []string{events.KeyToken, events.KeyGenAIPrompt, events.KeyGenAICompletion, "tool_calls"}

// Policy is what one sink may keep of each event's data. The zero Policy
// keeps everything. The rules apply in this order: Drop, Hash, Mask,
// Truncate, then Func.
type Policy struct {
	// Drop removes these data keys. Default: none.
	Drop []string
	// Hash replaces the value of each of these data keys by its SHA-256, as
	// "sha256:" and 64 hex digits (with HashKey, "hmac-sha256:" and the
	// HMAC): of a string's bytes, of any other value's JSON encoding. Equal
	// values give equal hashes, so an auditor can match a text they hold
	// against the trail without the trail holding it. Default: none.
	Hash []string
	// HashKey, when set, makes Hash an HMAC-SHA256 with this key, so that
	// short or guessable values (an e-mail address, "yes") cannot be found
	// by hashing candidates. Default: none (plain SHA-256).
	HashKey []byte
	// Mask replaces every match of each of these patterns in the string
	// values of the MaskKeys (nested in maps and slices too). Default: none.
	Mask []Mask
	// MaskKeys limits Mask and Truncate to these data keys. Default: every
	// key.
	MaskKeys []string
	// Truncate cuts each string value of the MaskKeys longer than this many
	// bytes, at a character boundary, and marks the event with
	// content_truncated. Default 0: no cut.
	Truncate int
	// Func, when set, gets the event the rules above produced (the original
	// when they changed nothing) and returns the event the sink receives: the
	// same one, a new one (see Clone), or nil. It must not modify the event
	// it gets or anything it holds, and must be safe for concurrent use.
	Func func(*events.Event) *events.Event
}

// Mask is a pattern whose matches a Policy replaces.
type Mask struct {
	// Name names what the pattern finds, such as "email".
	Name string
	// Pattern finds the text to replace. Required.
	Pattern *regexp.Regexp
	// Replacement replaces each match. Default "[" + Name + "]", or
	// "[masked]" without a Name.
	Replacement string
	// Check, when set, must also accept a match for it to be replaced (the
	// Luhn checksum of CardNumber).
	Check func(match string) bool
	// Requires, when set, lists bytes of which every match holds at least
	// one ("@" for Email): a string holding none of them is not searched,
	// which spares most tokens the cost of the regular expression.
	Requires string
}

// Email masks e-mail addresses.
var Email = Mask{
	Name:     "email",
	Pattern:  regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`),
	Requires: "@",
}

// CardNumber masks payment card numbers: 13 to 19 digits, optionally
// grouped by spaces or dashes, that pass the Luhn checksum (so order numbers
// and timestamps are left alone).
var CardNumber = Mask{
	Name:     "card",
	Pattern:  regexp.MustCompile(`\b\d(?:[ \-]?\d){12,18}\b`),
	Check:    luhn,
	Requires: "0123456789",
}

// luhn reports whether the digits of s pass the Luhn checksum.
func luhn(s string) bool {
	sum, n := 0, 0
	for i := len(s) - 1; i >= 0; i-- {
		c := s[i]
		if c < '0' || c > '9' {
			continue
		}
		d := int(c - '0')
		if n%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		n++
	}
	return n >= 13 && sum%10 == 0
}

// Clone returns a copy of ev whose Data and Tags are new maps, for a
// Policy.Func that changes an event: the copy's top-level entries may be
// set and deleted; nested values are still shared and must not be modified.
func Clone(ev *events.Event) *events.Event {
	out := *ev
	out.Data = maps.Clone(ev.Data)
	out.Tags = maps.Clone(ev.Tags)
	return &out
}

// Transform compiles p into the function a sink's host applies to each
// event (sinks.Options.Transform). The function is safe for concurrent use
// and never modifies its argument. Errors wrap sinks.ErrInvalidConfig.
func (p Policy) Transform() (func(*events.Event) *events.Event, error) {
	var errs []error
	if p.Truncate < 0 {
		errs = append(errs, fmt.Errorf("%w: capture: Truncate %d is negative", sinks.ErrInvalidConfig, p.Truncate))
	}
	t := &transform{
		drop:     newMatcher(p.Drop, false),
		hash:     newMatcher(p.Hash, false),
		content:  newMatcher(p.MaskKeys, true),
		truncate: p.Truncate,
		fn:       p.Func,
	}
	t.hashPrefix = "sha256:"
	if len(p.HashKey) > 0 {
		t.key, t.hashPrefix = append([]byte(nil), p.HashKey...), "hmac-sha256:"
	}
	for i, m := range p.Mask {
		if m.Pattern == nil {
			errs = append(errs, fmt.Errorf("%w: capture: Mask[%d] (%q) has no Pattern", sinks.ErrInvalidConfig, i, m.Name))
			continue
		}
		if m.Replacement == "" {
			m.Replacement = "[masked]"
			if m.Name != "" {
				m.Replacement = "[" + m.Name + "]"
			}
		}
		t.masks = append(t.masks, m)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if t.drop.empty() && t.hash.empty() && len(t.masks) == 0 && t.truncate == 0 {
		if t.fn != nil {
			return t.fn, nil
		}
		return func(ev *events.Event) *events.Event { return ev }, nil
	}
	return t.apply, nil
}

// matcher matches data keys: exactly, by a prefix ("name*"), or all ("*").
type matcher struct {
	all      bool
	exact    map[string]struct{}
	prefixes []string
}

func newMatcher(keys []string, allWhenEmpty bool) matcher {
	m := matcher{all: allWhenEmpty && len(keys) == 0}
	for _, k := range keys {
		switch {
		case k == "*":
			m.all = true
		case strings.HasSuffix(k, "*"):
			m.prefixes = append(m.prefixes, strings.TrimSuffix(k, "*"))
		default:
			if m.exact == nil {
				m.exact = map[string]struct{}{}
			}
			m.exact[k] = struct{}{}
		}
	}
	return m
}

func (m *matcher) empty() bool { return !m.all && len(m.exact) == 0 && len(m.prefixes) == 0 }

func (m *matcher) match(key string) bool {
	if m.all {
		return true
	}
	if _, ok := m.exact[key]; ok {
		return true
	}
	for _, p := range m.prefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// transform is a compiled Policy.
type transform struct {
	drop, hash, content matcher
	masks               []Mask
	truncate            int
	key                 []byte // the HMAC key; nil for plain SHA-256
	hashPrefix          string
	fn                  func(*events.Event) *events.Event
}

func (t *transform) apply(ev *events.Event) *events.Event {
	out := ev
	if ev != nil {
		var data map[string]any // a copy of ev.Data, made at the first change
		cut := false
		for k, v := range ev.Data {
			nv, keep, changed := t.value(k, v, &cut)
			if !changed {
				continue
			}
			if data == nil {
				data = maps.Clone(ev.Data)
			}
			if keep {
				data[k] = nv
			} else {
				delete(data, k)
			}
		}
		if data != nil {
			if cut {
				data[events.KeyContentTruncated] = true
			}
			cp := *ev
			cp.Data = data
			out = &cp
		}
	}
	if t.fn != nil {
		out = t.fn(out)
	}
	return out
}

// value applies the rules to one data entry: the new value, whether the
// entry stays, and whether anything changed.
func (t *transform) value(k string, v any, cut *bool) (any, bool, bool) {
	switch {
	case t.drop.match(k):
		return nil, false, true
	case t.hash.match(k):
		return t.hashOf(v), true, true
	case (len(t.masks) > 0 || t.truncate > 0) && t.content.match(k):
		nv, changed := t.mask(v, cut, 0)
		return nv, true, changed
	}
	return v, true, false
}

func (t *transform) hashOf(v any) string {
	text, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(fmt.Sprint(v))
		}
		text = string(b)
	}
	var sum [sha256.Size]byte
	if t.key == nil {
		sum = sha256.Sum256([]byte(text))
	} else {
		h := hmac.New(sha256.New, t.key)
		h.Write([]byte(text))
		h.Sum(sum[:0])
	}
	out := make([]byte, len(t.hashPrefix)+hex.EncodedLen(len(sum)))
	copy(out, t.hashPrefix)
	hex.Encode(out[len(t.hashPrefix):], sum[:])
	return string(out)
}

// maxDepth bounds how deep mask reaches into nested values (a value that
// contains itself must not loop).
const maxDepth = 32

// mask masks and truncates the strings in v, copying on write whatever map
// or slice holds a string it changes.
func (t *transform) mask(v any, cut *bool, depth int) (any, bool) {
	if depth > maxDepth {
		return v, false
	}
	switch v := v.(type) {
	case string:
		if ns, changed := t.maskString(v, cut); changed {
			return ns, true
		}
	case map[string]any:
		var out map[string]any
		for k, e := range v {
			if ne, changed := t.mask(e, cut, depth+1); changed {
				if out == nil {
					out = maps.Clone(v)
				}
				out[k] = ne
			}
		}
		if out != nil {
			return out, true
		}
	case []any:
		var out []any
		for i, e := range v {
			if ne, changed := t.mask(e, cut, depth+1); changed {
				if out == nil {
					out = append([]any(nil), v...)
				}
				out[i] = ne
			}
		}
		if out != nil {
			return out, true
		}
	case []string:
		var out []string
		for i, e := range v {
			if ne, changed := t.maskString(e, cut); changed {
				if out == nil {
					out = append([]string(nil), v...)
				}
				out[i] = ne
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]string:
		var out map[string]string
		for k, e := range v {
			if ne, changed := t.maskString(e, cut); changed {
				if out == nil {
					out = maps.Clone(v)
				}
				out[k] = ne
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

func (t *transform) maskString(s string, cut *bool) (string, bool) {
	out := s
	for i := range t.masks {
		m := &t.masks[i]
		if m.Requires != "" && !strings.ContainsAny(out, m.Requires) || !m.Pattern.MatchString(out) {
			continue
		}
		out = m.Pattern.ReplaceAllStringFunc(out, func(match string) string {
			if m.Check != nil && !m.Check(match) {
				return match
			}
			return m.Replacement
		})
	}
	if t.truncate > 0 && len(out) > t.truncate {
		i := t.truncate
		for i > 0 && !utf8.RuneStart(out[i]) {
			i--
		}
		out = out[:i]
		*cut = true
	}
	if out == s {
		return s, false
	}
	return out, true
}
