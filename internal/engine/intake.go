package engine

import (
	"math"
	"sync/atomic"

	"github.com/streamll/streamll-go/events"
)

// intake is the bounded queue between Emit and the router: a fixed array of
// slots that any number of producers fill and the router alone empties, in
// the order the slots were claimed (Dmitry Vyukov's bounded queue). It holds
// events by value, so Emit allocates nothing; the router copies each event
// to the heap as it takes it. Its memory is fixed at construction.
//
// A producer never waits: it claims the next slot with one compare-and-swap,
// or finds the queue full (the slot a lap ahead is still unread) or sealed
// and returns at once. Claiming and filling happen with the goroutine pinned
// to its processor (see procPin), so the router never waits long for a
// claimed slot to be filled.
type intake struct {
	_    [64]byte
	tail atomic.Uint64 // next position to claim; closedBit once sealed
	_    [56]byte
	head atomic.Uint64 // next position the router reads; written by the router
	_    [56]byte
	wake wakeState
	_    [48]byte

	mask   uint64
	urgent uint64 // how full the queue gets before a lingering router is woken at once
	slots  []slot
}

// closedBit marks a sealed intake in its tail: no slot can be claimed after it.
const closedBit = 1 << 63

type slot struct {
	seq   atomic.Uint64 // pos+1 once filled for position pos; pos+len once read
	newID bool          // the event needs an EventID: the router makes it
	at    int64         // if not 0, the event needs a Timestamp: see put
	ev    events.Event
	_     [16]byte // to 192 bytes: a slot owns its cache lines, so neighbours filled at once do not share one
}

// putResult says what became of an event offered to the intake.
type putResult int

const (
	putOK putResult = iota
	putFull
	putSealed
)

// newIntake returns an intake of at least size slots (rounded up to a power
// of two).
func newIntake(size int) *intake {
	n := 1
	for n < size {
		n <<= 1
	}
	in := &intake{mask: uint64(n - 1), urgent: uint64(max(n/2, 1)), slots: make([]slot, n)}
	for i := range in.slots {
		in.slots[i].seq.Store(uint64(i))
	}
	in.wake.due.Store(noDue)
	return in
}

// capacity is the number of slots.
func (in *intake) capacity() int { return len(in.slots) }

// put copies ev into the next free slot and returns its position. An event without an EventID gets
// one from the router, off the producer's path. An event without a
// Timestamp comes with at, the engine's monotonic reading of when it was
// emitted (never 0), from which the router makes its wall-clock time.
func (in *intake) put(ev *events.Event, at int64) (putResult, uint64) {
	procPin()
	pos := in.tail.Load()
	for {
		if pos&closedBit != 0 {
			procUnpin()
			return putSealed, 0
		}
		s := &in.slots[pos&in.mask]
		// The slot is free for pos once the router has read the position a
		// lap before it. The head says so from a line the router writes
		// once per turn, where the slot's own sequence is a line it wrote
		// when it freed the slot: with producers on every core, reading
		// that line ahead of the claim cost a cache miss per event.
		// Near full the head lags its turn, and the slot decides.
		lap := int64(0)
		if pos-in.head.Load() >= uint64(len(in.slots)) {
			lap = int64(s.seq.Load() - pos)
		}
		switch {
		case lap == 0:
			if !in.tail.CompareAndSwap(pos, pos+1) {
				pos = in.tail.Load()
				continue
			}
			s.ev = *ev
			s.newID = ev.EventID == ""
			s.at = at
			s.seq.Store(pos + 1)
			procUnpin()
			return putOK, pos
		case lap < 0:
			procUnpin()
			return putFull, 0
		default:
			pos = in.tail.Load() // another producer took this slot
		}
	}
}

// take hands the router up to limit events, oldest first, and frees their
// slots. It stops early at a slot that is claimed but not yet filled.
func (in *intake) take(limit int, each func(s *slot)) int {
	pos := in.head.Load()
	n := 0
	for ; n < limit; n++ {
		s := &in.slots[pos&in.mask]
		if s.seq.Load() != pos+1 {
			break
		}
		each(s)
		s.ev = events.Event{} // drop the references: the slot must not pin user data
		s.seq.Store(pos + in.mask + 1)
		pos++
	}
	in.head.Store(pos)
	return n
}

// ready reports whether the oldest unread slot is filled.
func (in *intake) ready() bool {
	pos := in.head.Load()
	return in.slots[pos&in.mask].seq.Load() == pos+1
}

// claimed returns the position after the last claimed slot: every event
// emitted so far sits before it.
func (in *intake) claimed() uint64 { return in.tail.Load() &^ closedBit }

// read returns the position after the last slot the router has taken.
func (in *intake) read() uint64 { return in.head.Load() }

// backlog is how many claimed slots the router has not taken yet.
func (in *intake) backlog() uint64 { return in.claimed() - in.head.Load() }

// seal stops the intake from taking events and returns the position where
// it ends.
func (in *intake) seal() uint64 { return in.tail.Or(closedBit) &^ closedBit }

// wakeState tells producers whether the router needs waking. A producer
// that filled a slot wakes an idle router (which may then linger to gather
// more), and cuts a lingering router short once the intake is half full or
// the linger is due; a running router needs nothing, which keeps the hot
// path to one load.
type wakeState struct {
	v atomic.Int32
	// due is the engine's clock reading from which an Emit ends the linger
	// (see Engine.Emit); noDue while no linger is armed.
	due atomic.Int64
}

const (
	routerIdle      int32 = iota // parked: the next event wakes it
	routerLingering              // woken, gathering events until its linger ends
	routerRunning                // taking events; it looks again before it parks
)

// noDue is the due of a router that is not lingering: no reading reaches it.
const noDue = math.MaxInt64

// nudge is called by a producer after it filled the slot of position pos
// at reading now, when the router is not running; it returns true if the
// producer must wake the router, and whether the wake is urgent (the router
// must not linger). The backlog it weighs is the one up to pos: reading the
// tail, which the other producers write, would cost a cache miss per event.
func (in *intake) nudge(now int64, pos uint64) (wake, urgent bool) {
	switch in.wake.v.Load() {
	case routerIdle:
		return in.wake.v.CompareAndSwap(routerIdle, routerLingering), false
	case routerLingering:
		if head := in.head.Load(); pos+1 >= head+in.urgent || now >= in.wake.due.Load() {
			return in.wake.v.CompareAndSwap(routerLingering, routerRunning), true
		}
	}
	return false, false
}
