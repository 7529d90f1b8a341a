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

// digitPairs holds "00" to "99", for writing two digits at a time.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// afterYear is the shape of a timestamp after its year, filled in place.
const afterYear = `-00-00T00:00:00.000000Z"`

// appendTimestamp appends t as a JSON string in UTC with exactly six fractional
// digits, such as "2026-11-26T16:31:42.156123Z". Digits beyond the microsecond
// are cut, as time.Format cuts them. A year outside 0 to 9999, which RFC 3339
// cannot express, is written in full, as time.Format writes it.
func appendTimestamp(dst []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	hour, minute, second := t.Clock()
	micro := t.Nanosecond() / 1000
	dst = append(dst, '"')
	if year >= 0 && year <= 9999 {
		hi, lo := 2*(year/100), 2*(year%100)
		dst = append(dst, digitPairs[hi], digitPairs[hi+1], digitPairs[lo], digitPairs[lo+1])
	} else {
		dst = strconv.AppendInt(dst, int64(year), 10)
	}
	n := len(dst)
	dst = append(dst, afterYear...)
	b := (*[len(afterYear)]byte)(dst[n:])
	b[1], b[2] = pair(int(month))
	b[4], b[5] = pair(day)
	b[7], b[8] = pair(hour)
	b[10], b[11] = pair(minute)
	b[13], b[14] = pair(second)
	b[16], b[17] = pair(micro / 10000)
	b[18], b[19] = pair(micro / 100 % 100)
	b[20], b[21] = pair(micro % 100)
	return dst
}

// pair returns the two decimal digits of v, which is below 100.
func pair(v int) (byte, byte) {
	return digitPairs[2*v], digitPairs[2*v+1]
}
