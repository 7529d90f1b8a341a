package main

import (
	"bytes"
	"time"
)

// tally is what a consumer saw: distinct events (by event_id), duplicates,
// and, when it reads live, the end-to-end latency from each event's
// timestamp (set by Emit) to its arrival. One goroutine owns it.
type tally struct {
	live      bool
	seen      map[[12]byte]struct{}
	entries   uint64 // everything read, duplicates included
	dups      uint64
	malformed uint64
	e2e       histogram
}

func newTally(live bool) *tally {
	return &tally{live: live, seen: make(map[[12]byte]struct{})}
}

// add counts one message body read at now.
func (t *tally) add(body []byte, now time.Time) {
	t.entries++
	id, ts, ok := parseIDTime(body)
	if !ok {
		t.malformed++
		return
	}
	if _, dup := t.seen[id]; dup {
		t.dups++
		return
	}
	t.seen[id] = struct{}{}
	if t.live {
		t.e2e.record(now.Sub(ts))
	}
}

var (
	idField   = []byte(`"event_id":"`)
	timeField = []byte(`"timestamp":"`)
)

// parseIDTime reads the event_id and timestamp of a wire-format event
// without decoding the rest, so that a consumer keeps up with the bus.
func parseIDTime(b []byte) (id [12]byte, ts time.Time, ok bool) {
	i := bytes.Index(b, idField)
	if i < 0 || len(b) < i+len(idField)+len(id)+1 || b[i+len(idField)+len(id)] != '"' {
		return id, ts, false
	}
	copy(id[:], b[i+len(idField):])
	j := bytes.Index(b, timeField)
	if j < 0 {
		return id, ts, false
	}
	rest := b[j+len(timeField):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return id, ts, false
	}
	ts, err := time.Parse(time.RFC3339Nano, string(rest[:end]))
	return id, ts, err == nil
}
