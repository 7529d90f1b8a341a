package sinkurl

import (
	"strings"
	"unicode"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// hostOptions reads the parameters every sink takes, which configure the
// host that runs it, into o.
func hostOptions(p *params, o *sinks.Options) {
	p.string("name", &o.Name)
	if types := p.list("types"); types != nil {
		ts := make([]events.Type, 0, len(types))
		for _, t := range types {
			if !validType(t) {
				p.bad("parameter types: %q is not an event type (lowercase letters, digits and _-.: only, such as error or docs_found)", t)
				continue
			}
			ts = append(ts, events.Type(t))
		}
		o.Filter = sinks.Types(ts...)
	}
	p.int("buffer", 1, &o.BufferSize)
	p.int("batch", 1, &o.BatchSize)
	var overflow string
	p.choice("overflow", []string{sinks.DropOldest.String(), sinks.DropNewest.String()}, &overflow)
	if overflow == sinks.DropNewest.String() {
		o.Overflow = sinks.DropNewest
	}
	p.duration("write_timeout", &o.WriteTimeout)
	p.int("max_retries", 0, &o.Retry.MaxRetries)
	p.duration("max_elapsed", &o.Retry.MaxElapsed)
	p.negated("breaker", &o.Breaker.Disabled)
	p.int("failure_threshold", 1, &o.Breaker.FailureThreshold)
	p.duration("recovery_timeout", &o.Breaker.RecoveryTimeout)
}

// validType accepts the event types a filter can match: streamll-go's own and
// custom lowercase names such as docs_found. An upper-case letter, a space or
// a comma would make a filter that silently matches nothing.
func validType(t string) bool {
	return t != "" && !strings.ContainsFunc(t, func(r rune) bool {
		ok := unicode.IsLetter(r) && !unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("_-.:", r)
		return !ok
	})
}
