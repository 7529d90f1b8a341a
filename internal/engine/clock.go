package engine

import "time"

// monoClock splits taking an event's time in two, so that the producer's
// part is only a monotonic reading: Emit calls reading (about as cheap as
// the runtime's clock gets), and the router, once per turn, reads the wall
// clock (turn) and turns every reading of that turn into a wall-clock time.
// The time an event gets is the wall clock at the router's turn minus the
// monotonic time since Emit: when it was emitted, as time.Now would have
// said then, give or take what NTP slews the clock within one turn.
//
// A time.Time that keeps its monotonic reading makes the wall-clock half of
// time.Now the expensive half on many virtual machines; this pays it once
// per turn instead of once per event. monoClock never changes after
// newMonoClock, so producers reading it share no written cache line with
// the router.
type monoClock struct {
	epoch time.Time // with its monotonic reading
}

func newMonoClock() *monoClock { return &monoClock{epoch: time.Now()} }

// reading returns the monotonic time since the epoch, never 0.
func (c *monoClock) reading() int64 { return int64(time.Since(c.epoch)) + 1 }

// turn reads the wall clock for the readings the router is about to convert.
func (c *monoClock) turn() wallAt {
	now := time.Now()
	return wallAt{wall: now.Round(0), mono: now.Sub(c.epoch) + 1}
}

// wallAt is one instant as the wall clock and as a reading.
type wallAt struct {
	wall time.Time // without a monotonic reading
	mono time.Duration
}

// at returns the wall-clock time of a reading.
func (w wallAt) at(reading int64) time.Time {
	return w.wall.Add(time.Duration(reading) - w.mono)
}
