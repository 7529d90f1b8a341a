package sinktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

// wireForm returns ev as a consumer would see it: its wire encoding. The
// encoder is deterministic (sorted keys, numbers written as encoding/json
// writes them), so two events compare equal exactly when they carry the same
// wire fields, and timestamps compare at the wire's microsecond precision.
func wireForm(ev *events.Event) string {
	return string(events.AppendJSON(nil, ev))
}

// decodeJSON decodes one JSON value, keeping numbers as written.
func decodeJSON(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the event")
	}
	return v, nil
}

// summary is what a TypeAndOperationOnly driver can show of an event.
func summary(ev *events.Event) string {
	return fmt.Sprintf("%s %s", ev.EventType, ev.Operation)
}

// diff compares what a destination received with what was written and
// describes the first difference, or returns "" when they match.
func diff(want []*events.Event, got []events.Event, f Features) string {
	form := formOf(f)
	for i := range min(len(want), len(got)) {
		if w, g := form(want[i]), form(&got[i]); w != g {
			return fmt.Sprintf("event %d of %d differs %s:\n got: %s\nwant: %s", i, len(want), where(g, w), g, w)
		}
	}
	switch {
	case len(got) < len(want):
		return fmt.Sprintf("received %d events, want %d; first missing: %s", len(got), len(want), form(want[len(got)]))
	case len(got) > len(want):
		return fmt.Sprintf("received %d events, want %d; first extra: %s", len(got), len(want), form(&got[len(want)]))
	}
	return ""
}

// where points at the first difference of two different encodings.
func where(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	start := max(0, i-20)
	for start < i && !utf8.RuneStart(got[start]) {
		start++
	}
	return fmt.Sprintf("at byte %d (after %q)", i, got[start:i])
}

// copies compares what a destination received with what was written when
// delivery may repeat events: got must hold every event of want (in want's
// order, counting the first copy of each, when ordered) and nothing that is
// not a copy of one of them. It describes the first problem, or returns "",
// and says how many events of want are still to come, at least.
func copies(want []*events.Event, got []events.Event, f Features, ordered bool) (string, int) {
	if d := stranger(want, got, f); d != "" {
		return d, 0
	}
	if ordered {
		return outOfOrder(want, got, f)
	}
	return missing(want, got, f)
}

func formOf(f Features) func(*events.Event) string {
	if f.TypeAndOperationOnly {
		return summary
	}
	return wireForm
}

// stranger describes the first event of got that is no copy of an event of
// written, or returns "".
func stranger(written []*events.Event, got []events.Event, f Features) string {
	form := formOf(f)
	known := map[string]bool{}
	for _, ev := range written {
		known[form(ev)] = true
	}
	for i := range got {
		if g := form(&got[i]); !known[g] {
			return fmt.Sprintf("received event %d, which was never written: %s", i, g)
		}
	}
	return ""
}

// missing describes the first event of want that got does not hold (as
// often as want holds it), and counts those, or returns "" and 0.
func missing(want []*events.Event, got []events.Event, f Features) (string, int) {
	form := formOf(f)
	have := map[string]int{}
	for i := range got {
		have[form(&got[i])]++
	}
	first, n := "", 0
	for _, ev := range want {
		w := form(ev)
		if have[w] == 0 {
			if n == 0 {
				first = w
			}
			n++
			continue
		}
		have[w]--
	}
	if n == 0 {
		return "", 0
	}
	return fmt.Sprintf("received %d events; %d written are missing, the first: %s", len(got), n, first), n
}

// outOfOrder describes the first event of want that got does not hold after
// the events written before it (first copies counted), and counts the
// events from it on, or returns "" and 0.
func outOfOrder(want []*events.Event, got []events.Event, f Features) (string, int) {
	form := formOf(f)
	next := 0
	for i := range got {
		if next < len(want) && form(&got[i]) == form(want[next]) {
			next++
		}
	}
	if next == len(want) {
		return "", 0
	}
	return fmt.Sprintf("received %d events; event %d of %d written is missing, or comes before one written ahead of it: %s",
		len(got), next, len(want), form(want[next])), len(want) - next
}
