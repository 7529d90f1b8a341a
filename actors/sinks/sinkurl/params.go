package sinkurl

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ListSep separates the values of a list parameter such as types=error|end.
// It is not a comma, because commas separate the sinks of a list.
const ListSep = "|"

// params reads the query parameters of one item. Each getter sets its target
// only when the parameter is present, records a problem when its value is
// bad, and marks the parameter used; rest returns those nobody used.
type params struct {
	q     url.Values
	used  map[string]bool
	asked map[string]bool // every name a getter looked for, given or not
	bad   func(format string, args ...any)
}

func newParams(q url.Values, bad func(format string, args ...any)) *params {
	return &params{q: q, used: make(map[string]bool), asked: make(map[string]bool), bad: bad}
}

// gone reports a parameter that no longer exists, saying what replaced it.
func (p *params) gone(name, instead string) {
	if _, ok := p.q[name]; ok {
		p.used[name] = true
		p.bad("parameter %q is gone: %s", name, instead)
	}
}

// one returns the value of name and whether it was given, reporting a
// parameter given more than once.
func (p *params) one(name string) (string, bool) {
	p.asked[name] = true
	vs, ok := p.q[name]
	if !ok {
		return "", false
	}
	p.used[name] = true
	if len(vs) > 1 {
		p.bad("parameter %q is given %d times", name, len(vs))
		return "", false
	}
	return vs[0], true
}

// all returns every value of a repeatable parameter.
func (p *params) all(name string) []string {
	p.asked[name] = true
	vs, ok := p.q[name]
	if ok {
		p.used[name] = true
	}
	return vs
}

func (p *params) string(name string, dst *string) {
	if v, ok := p.one(name); ok {
		if v == "" {
			p.bad("parameter %q is empty", name)
			return
		}
		*dst = v
	}
}

// int reads a whole number of at least min.
func (p *params) int(name string, min int, dst *int) {
	v, ok := p.one(name)
	if !ok {
		return
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil:
		p.bad("parameter %s=%q is not a whole number", name, v)
	case n < min:
		p.bad("parameter %s=%d is below its minimum %d", name, n, min)
	default:
		*dst = n
	}
}

// int64 reads a whole number of at least 0.
func (p *params) int64(name string, dst *int64) {
	n := -1
	p.int(name, 0, &n)
	if n >= 0 {
		*dst = int64(n)
	}
}

// duration reads a positive Go duration such as 30s or 1m30s.
func (p *params) duration(name string, dst *time.Duration) {
	v, ok := p.one(name)
	if !ok {
		return
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		p.bad("parameter %s=%q is not a duration (write a number with a unit, such as 30s or 500ms)", name, v)
	case d <= 0:
		p.bad("parameter %s=%s must be positive", name, v)
	default:
		*dst = d
	}
}

// boolean reads true or false. A parameter given without a value
// (?transient) is true.
func (p *params) boolean(name string, dst *bool) {
	v, ok := p.one(name)
	if !ok {
		return
	}
	b, valid := parseBool(v)
	if !valid {
		p.bad("parameter %s=%q is not a boolean (true, false, 1, 0, yes, no, on or off)", name, v)
		return
	}
	*dst = b
}

// negated reads a boolean whose false sets dst: tokens=false sets HideTokens.
func (p *params) negated(name string, dst *bool) {
	show := true
	p.boolean(name, &show)
	if _, ok := p.q[name]; ok {
		*dst = !show
	}
}

func parseBool(v string) (b, ok bool) {
	switch strings.ToLower(v) {
	case "", "1", "t", "true", "yes", "y", "on":
		return true, true
	case "0", "f", "false", "no", "n", "off":
		return false, true
	}
	return false, false
}

// choice reads one of the given words.
func (p *params) choice(name string, words []string, dst *string) {
	v, ok := p.one(name)
	if !ok {
		return
	}
	if !slices.Contains(words, v) {
		p.bad("parameter %s=%q is not one of %s", name, v, strings.Join(words, ", "))
		return
	}
	*dst = v
}

// list reads values separated by ListSep, none of them empty.
func (p *params) list(name string) []string {
	v, ok := p.one(name)
	if !ok {
		return nil
	}
	vs := strings.Split(v, ListSep)
	if slices.Contains(vs, "") {
		p.bad("parameter %s=%q has an empty entry (separate entries with %q)", name, v, ListSep)
		return nil
	}
	return vs
}

// rest returns the parameters no getter used.
func (p *params) rest() url.Values {
	rest := url.Values{}
	for k, vs := range p.q {
		if !p.used[k] {
			rest[k] = vs
		}
	}
	return rest
}

// unknown reports every unused parameter as unknown, in name order.
func (p *params) unknown() {
	for _, k := range sortedKeys(p.rest()) {
		p.bad("unknown parameter %q", k)
	}
}

func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
