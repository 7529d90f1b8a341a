package events

import (
	"strconv"
	"time"
)

// zeroEvent is what a nil *Event encodes as.
var zeroEvent Event

// AppendJSON appends the wire-format (version 1) encoding of ev to dst and
// returns the extended buffer. It never fails and never panics, whatever
// ev.Data holds; see the package documentation for how values are written and
// what replaces those JSON cannot carry. A nil ev is encoded as the zero Event.
//
// With a reused dst and data made of the common types (strings, numbers,
// booleans, time.Time, and maps and slices of them) it does not allocate, so it
// is the encoder a sink should call per event; [Marshal] is the convenient form.
// AppendJSON only reads ev and is safe to call concurrently on the same event.
func AppendJSON(dst []byte, ev *Event) []byte {
	if ev == nil {
		ev = &zeroEvent
	}
	dst = append(dst, `{"event_id":`...)
	dst = appendString(dst, ev.EventID)
	dst = append(dst, `,"execution_id":`...)
	dst = appendString(dst, ev.ExecutionID)
	if ev.ParentID != "" {
		dst = append(dst, `,"parent_id":`...)
		dst = appendString(dst, ev.ParentID)
	}
	dst = append(dst, `,"timestamp":`...)
	dst = appendTimestamp(dst, ev.Timestamp)
	dst = append(dst, `,"module_name":`...)
	dst = appendString(dst, ev.ModuleName)
	dst = append(dst, `,"method_name":`...)
	dst = appendString(dst, ev.MethodName)
	dst = append(dst, `,"event_type":`...)
	dst = appendString(dst, string(ev.EventType))
	dst = append(dst, `,"operation":`...)
	dst = appendString(dst, ev.Operation)
	dst = append(dst, `,"data":`...)
	var enc valueEncoder
	dst = enc.appendMap(dst, ev.Data)
	dst = append(dst, `,"tags":`...)
	dst = appendStringMap(dst, ev.Tags)
	return append(dst, '}')
}

// appendTimestamp appends t as a JSON string in UTC with exactly six fractional
// digits, such as "2026-11-26T16:31:42.156123Z". Digits beyond the microsecond
// are cut, as time.Format cuts them. A year outside 0 to 9999, which RFC 3339
// cannot express, is written in full (time.Format does the same).
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	dst = append(dst, '"')
	if year >= 0 && year <= 9999 {
		dst = appendDigits(dst, year, 4)
	} else {
		dst = strconv.AppendInt(dst, int64(year), 10)
	}
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, second, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond()/1000, 6)
	return append(dst, 'Z', '"')
}

// appendDigits appends the non-negative v as exactly width decimal digits,
// padded with leading zeros; v must be below 10^width.
func appendDigits(dst []byte, v, width int) []byte {
	n := len(dst) + width
	dst = append(dst, "000000"[:width]...)
	for i := n - 1; v > 0; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}
