package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/streamll/streamll-go/events"
)

// summary counts what tail showed, for its closing line.
type summary struct {
	read, shown                uint64
	executions, errors, tokens uint64
	inputTokens, outputTokens  float64
	invalid                    uint64
	started                    time.Time
}

func (s *summary) add(ev *events.Event) {
	s.shown++
	switch ev.EventType {
	case events.TypeStart:
		s.executions++
	case events.TypeToken:
		s.tokens++
	case events.TypeError:
		s.errors++
	}
	if ev.EventType == events.TypeEnd || ev.EventType == events.TypeError {
		in, _ := ev.Data[events.KeyGenAIUsageInputTokens].(float64)
		out, _ := ev.Data[events.KeyGenAIUsageOutputTokens].(float64)
		s.inputTokens += in
		s.outputTokens += out
	}
}

// String is the closing line: "42 events (3 executions, 1 error, 30 tokens;
// usage 120 in, 45 out) in 2.1s".
func (s *summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s (%d %s, %d %s, %d %s",
		s.shown, plural(s.shown, "event"), s.executions, plural(s.executions, "execution"),
		s.errors, plural(s.errors, "error"), s.tokens, plural(s.tokens, "token"))
	if s.inputTokens > 0 || s.outputTokens > 0 {
		fmt.Fprintf(&b, "; usage %.0f in, %.0f out", s.inputTokens, s.outputTokens)
	}
	b.WriteString(")")
	if s.read != s.shown {
		fmt.Fprintf(&b, " of %d read", s.read)
	}
	if s.invalid > 0 {
		fmt.Fprintf(&b, ", %d invalid skipped", s.invalid)
	}
	fmt.Fprintf(&b, " in %s", time.Since(s.started).Round(100*time.Millisecond))
	return b.String()
}

func plural(n uint64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
