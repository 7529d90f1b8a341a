package sinks

import "github.com/streamll/streamll-go/events"

// ring is a FIFO of events with a fixed capacity, so a sink's buffer never
// grows past its bound and never re-allocates on the hot path.
type ring struct {
	items      []*events.Event
	head, size int
}

func newRing(capacity int) ring { return ring{items: make([]*events.Event, capacity)} }

func (r *ring) len() int { return r.size }

func (r *ring) full() bool { return r.size == len(r.items) }

// push appends ev; the caller checks full first.
func (r *ring) push(ev *events.Event) {
	r.items[(r.head+r.size)%len(r.items)] = ev
	r.size++
}

// popFront removes and returns the oldest event.
func (r *ring) popFront() *events.Event {
	ev := r.items[r.head]
	r.items[r.head] = nil
	r.head = (r.head + 1) % len(r.items)
	r.size--
	return ev
}

// popInto moves up to len(dst) of the oldest events into dst and returns how
// many it moved.
func (r *ring) popInto(dst []*events.Event) int {
	n := min(len(dst), r.size)
	for i := range n {
		dst[i] = r.popFront()
	}
	return n
}

// clear empties the ring and returns how many events it held.
func (r *ring) clear() int {
	n := r.size
	for r.size > 0 {
		r.popFront()
	}
	return n
}
