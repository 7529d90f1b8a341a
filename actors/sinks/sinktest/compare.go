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
	form := wireForm
	if f.TypeAndOperationOnly {
		form = summary
	}
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
