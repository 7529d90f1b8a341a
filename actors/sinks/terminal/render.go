package terminal

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unsafe"

	"github.com/streamll/streamll-go/events"
)

// palette holds the ANSI codes of each part of a line; the zero palette
// writes no codes.
type palette struct {
	dim, start, token, end, error, custom, reset string
}

// ansi is the palette of a colour terminal.
var ansi = palette{
	dim:    "\x1b[2m",
	start:  "\x1b[32m",   // green
	token:  "\x1b[36m",   // cyan
	end:    "\x1b[34m",   // blue
	error:  "\x1b[1;31m", // bold red
	custom: "\x1b[33m",   // yellow
	reset:  "\x1b[0m",
}

// shortIDLen is how much of an execution id a line shows.
const shortIDLen = 6

// Keys that end and error lines show apart, so their data leaves them out.
var (
	endKeys   = []string{events.KeyDurationSeconds}
	errorKeys = []string{events.KeyDurationSeconds, events.KeyErrorType, events.KeyErrorMessage}
)

// render appends what ev adds to the output: a whole line, or the start or
// continuation of a token line.
func (s *Sink) render(b []byte, ev *events.Event) []byte {
	if ev.EventType == events.TypeToken {
		if s.cfg.HideTokens {
			return b
		}
		if !s.run.open || s.run.execution != ev.ExecutionID {
			b = s.endRun(b)
			b = s.head(b, ev, s.colors.token, "•")
			b = append(b, " '"...)
			s.run.open, s.run.execution = true, ev.ExecutionID
		}
		return appendValueText(b, ev.Data[events.KeyToken])
	}

	b = s.endRun(b)
	switch ev.EventType {
	case events.TypeStart:
		b = s.head(b, ev, s.colors.start, "▶")
		if ev.ModuleName != "" || ev.MethodName != "" {
			b = append(b, ' ')
			b = appendText(b, ev.ModuleName, -1)
			if ev.ModuleName != "" && ev.MethodName != "" {
				b = append(b, '.')
			}
			b = appendText(b, ev.MethodName, -1)
		}
		b = s.appendData(b, ev.Data, nil, "")
	case events.TypeEnd:
		b = s.head(b, ev, s.colors.end, "■")
		if sec, ok := seconds(ev.Data[events.KeyDurationSeconds]); ok {
			b = append(b, ' ')
			b = appendDuration(b, sec)
		}
		b = s.appendData(b, ev.Data, endKeys, events.KeyTokens)
	case events.TypeError:
		b = s.head(b, ev, s.colors.error, "✗")
		typ, msg := ev.Data[events.KeyErrorType], ev.Data[events.KeyErrorMessage]
		if typ != nil || msg != nil {
			b = append(b, ' ')
			b = appendValueText(b, typ)
			if typ != nil && msg != nil {
				b = append(b, ": "...)
			}
			b = appendValueText(b, msg)
		}
		b = s.appendData(b, ev.Data, errorKeys, events.KeyTokens)
	default:
		b = s.head(b, ev, s.colors.custom, "◆")
		b = s.appendData(b, ev.Data, nil, "")
	}
	return append(b, '\n')
}

// endRun closes the open token line, if any.
func (s *Sink) endRun(b []byte) []byte {
	if !s.run.open {
		return b
	}
	s.run.open, s.run.execution = false, ""
	return append(b, "'\n"...)
}

// head appends what every line starts with: the time, the mark (and the type
// of a custom event), the operation and the short execution id.
func (s *Sink) head(b []byte, ev *events.Event, color, mark string) []byte {
	c := &s.colors
	b = append(b, c.dim...)
	b = append(b, '[')
	b = ev.Timestamp.In(s.cfg.Location).AppendFormat(b, s.cfg.TimeFormat)
	b = append(b, ']')
	b = append(b, c.reset...)
	b = append(b, ' ')
	b = append(b, color...)
	b = append(b, mark...)
	b = append(b, c.reset...)
	if mark == "◆" && ev.EventType != "" {
		b = append(b, ' ')
		b = appendText(b, string(ev.EventType), -1)
	}
	if ev.Operation != "" {
		b = append(b, ' ')
		b = appendText(b, ev.Operation, -1)
	}
	if id := ev.ExecutionID; id != "" {
		b = append(b, ' ')
		b = append(b, c.dim...)
		b = append(b, '(')
		b = appendText(b, id[:min(len(id), shortIDLen)], -1)
		b = append(b, ')')
		b = append(b, c.reset...)
	}
	return b
}

// dataStart and dataEnd locate Data in the wire encoding of an Event that
// holds nothing else. Data is shown in the wire's JSON, with its placeholders
// for values JSON cannot carry, by encoding such a frame with events.AppendJSON
// and cutting out the middle.
var dataStart, dataEnd = func() (int, int) {
	empty := events.AppendJSON(nil, &events.Event{})
	const field = `"data":{}`
	i := bytes.Index(empty, []byte(field))
	return i + len(field) - len("{}"), len(empty) - (i + len(field))
}()

// appendData appends " " and data, minus the keys in skip, as compact JSON cut
// to MaxDataLen characters; nothing if that leaves nothing or data is hidden.
// On end lines the tokens key, which the seed's output shows
// ({"tokens": 42}), comes first, so a long line cut at MaxDataLen keeps it.
func (s *Sink) appendData(b []byte, data map[string]any, skip []string, lead string) []byte {
	if s.cfg.HideData || len(data) == 0 {
		return b
	}
	leadValue, hasLead := data[lead]
	hasLead = hasLead && lead != ""
	filter := hasLead
	for _, k := range skip {
		if _, ok := data[k]; ok {
			filter = true
		}
	}
	shown := data
	if filter {
		shown = s.filtered
		for key, v := range data {
			if !slices.Contains(skip, key) && (!hasLead || key != lead) {
				shown[key] = v
			}
		}
	}
	if len(shown) > 0 || hasLead {
		s.data = s.data[:0]
		if hasLead {
			s.lead[lead] = leadValue
			s.frame.Data = s.lead
			s.data = events.AppendJSON(s.data, &s.frame)
			s.data = s.data[dataStart : len(s.data)-dataEnd]
			clear(s.lead)
		}
		if len(shown) > 0 {
			n := len(s.data)
			s.frame.Data = shown
			s.data = events.AppendJSON(s.data, &s.frame)
			rest := s.data[n+dataStart : len(s.data)-dataEnd]
			if hasLead { // {"tokens":42} and {"a":1} make {"tokens":42,"a":1}
				s.data[n-1] = ','
				rest = rest[1:]
			}
			s.data = append(s.data[:n], rest...)
		}
		b = append(b, ' ')
		// The string aliases s.data only for this call, which does not keep it.
		b = appendText(b, unsafe.String(unsafe.SliceData(s.data), len(s.data)), s.cfg.MaxDataLen)
	}
	// Keep no reference to the event's values after this line.
	s.frame.Data = nil
	clear(s.filtered)
	return b
}

// appendValueText appends v as text: a string as it is (made safe), anything
// else as fmt prints it. Tokens and error messages are strings; the rest is a
// rare path and may allocate.
func appendValueText(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return b
	case string:
		return appendText(b, v, -1)
	}
	return appendText(b, fmt.Sprint(v), -1)
}

// seconds reads a duration_seconds value.
func seconds(v any) (float64, bool) {
	var f float64
	switch v := v.(type) {
	case float64:
		f = v
	case float32:
		f = float64(v)
	case int:
		f = float64(v)
	case int64:
		f = float64(v)
	case json.Number:
		var err error
		if f, err = v.Float64(); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// appendDuration appends sec as "1.23s", or in milliseconds below a second:
// "156ms", "4.2ms".
func appendDuration(b []byte, sec float64) []byte {
	switch ms := sec * 1000; {
	case math.Abs(sec) >= 1:
		b = strconv.AppendFloat(b, sec, 'f', 2, 64)
		return append(b, 's')
	case math.Abs(ms) >= 10:
		b = strconv.AppendFloat(b, ms, 'f', 0, 64)
	default:
		b = strconv.AppendFloat(b, ms, 'f', 1, 64)
	}
	return append(b, "ms"...)
}
