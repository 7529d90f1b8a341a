package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidEvent is wrapped by every error [Unmarshal] returns; the message
// says which field was wrong.
var ErrInvalidEvent = errors.New("events: invalid event")

// wireEvent is the shape of a wire-format event for encoding/json. Decoding
// null into a string or map leaves it at its zero value, which is how a
// Python operation of None or a null data reads.
type wireEvent struct {
	EventID     string            `json:"event_id"`
	ExecutionID string            `json:"execution_id"`
	ParentID    string            `json:"parent_id"`
	Timestamp   string            `json:"timestamp"`
	ModuleName  string            `json:"module_name"`
	MethodName  string            `json:"method_name"`
	EventType   Type              `json:"event_type"`
	Operation   string            `json:"operation"`
	Data        map[string]any    `json:"data"`
	Tags        map[string]string `json:"tags"`
}

// Unmarshal decodes one wire-format event, as [AppendJSON] writes it or as the
// Python streamll writes it.
//
// It accepts what the Python library emits besides wire format v1: a null
// operation, a missing parent_id, and its timestamp form
// "2025-09-17 15:22:32.123456+00:00" (a space instead of T). Timestamps may
// have any number of fractional digits or none, and any offset or none (read
// as UTC); the result is always in UTC. Unknown fields are ignored.
//
// A null or missing data or tags decodes as a nil map, which [AppendJSON]
// writes back as {}. Values in data decode as encoding/json decodes into an
// any: every number becomes a float64 (whole numbers up to 2^53 stay exact;
// send larger identifiers as strings), objects become map[string]any and arrays
// []any. Invalid UTF-8 becomes U+FFFD.
//
// The timestamp and event_type fields are required. Every error wraps
// [ErrInvalidEvent] and names the field at fault.
func Unmarshal(data []byte) (Event, error) {
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] != '{' {
		return Event{}, fmt.Errorf("%w: not a JSON object", ErrInvalidEvent)
	}
	var w wireEvent
	if err := json.Unmarshal(data, &w); err != nil {
		return Event{}, decodeError(err)
	}
	if w.EventType == "" {
		return Event{}, fmt.Errorf("%w: field event_type: missing or empty", ErrInvalidEvent)
	}
	if w.Timestamp == "" {
		return Event{}, fmt.Errorf("%w: field timestamp: missing or empty", ErrInvalidEvent)
	}
	ts, err := parseTimestamp(w.Timestamp)
	if err != nil {
		return Event{}, fmt.Errorf("%w: field timestamp: %q is not an RFC 3339 time", ErrInvalidEvent, w.Timestamp)
	}
	return Event{
		EventID:     w.EventID,
		ExecutionID: w.ExecutionID,
		ParentID:    w.ParentID,
		Timestamp:   ts,
		ModuleName:  w.ModuleName,
		MethodName:  w.MethodName,
		EventType:   w.EventType,
		Operation:   w.Operation,
		Data:        w.Data,
		Tags:        w.Tags,
	}, nil
}

// decodeError turns an encoding/json error into one that wraps
// ErrInvalidEvent and names the field.
func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: not valid JSON at byte %d: %w", ErrInvalidEvent, syntax.Offset, err)
	case errors.As(err, &typ) && typ.Field != "":
		return fmt.Errorf("%w: field %s: JSON %s where %s was expected", ErrInvalidEvent, typ.Field, typ.Value, typ.Type)
	}
	return fmt.Errorf("%w: %w", ErrInvalidEvent, err)
}

// timestampLayouts are tried in order; time.Parse accepts fractional seconds
// after the seconds field even where a layout does not show them.
var timestampLayouts = [...]string{time.RFC3339, "2006-01-02T15:04:05"}

// parseTimestamp reads an RFC 3339 time with a T or a space between date and
// time (Python's str(datetime)), with or without an offset, and returns it in UTC.
func parseTimestamp(s string) (time.Time, error) {
	if len(s) > 10 && (s[10] == ' ' || s[10] == 't') {
		s = s[:10] + "T" + s[11:]
	}
	var err error
	for _, layout := range timestampLayouts {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}
