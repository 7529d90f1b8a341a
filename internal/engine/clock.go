package engine

import "time"

// monoClock splits taking an event's time in two, so that the producer's
// part is only a monotonic reading: Emit calls reading (about as cheap as
// the runtime's clock gets), and the router, once per turn, reads the wall
// clock and turns every reading of that turn into a wall-clock time (at).
// The time an event gets is the wall clock at the router's turn minus the
// monotonic time since Emit: when it was emitted, as time.Now would have
// said then, give or take what NTP slews the clock within one turn.
//
// A time.Time that keeps its monotonic reading makes the wall-clock half of
// time.Now the expensive half on many virtual machines; this pays it once
// per turn instead of once per event.
type monoClock struct {
	epoch time.Time // with its monotonic reading

	// The router's, set by turn.
	wall time.Time     // the wall clock at the turn, without monotonic reading
	mono time.Duration // the same instant as a reading
}

func newMonoClock() *monoClock { return &monoClock{epoch: time.Now()} }

// reading returns the monotonic time since the epoch, never 0.
func (c *monoClock) reading() int64 { return int64(time.Since(c.epoch)) + 1 }

// turn takes the wall clock for the readings the router is about to convert.
func (c *monoClock) turn() {
	now := time.Now()
	c.wall, c.mono = now.Round(0), now.Sub(c.epoch)+1
}

// at returns the wall-clock time of a reading taken before the last turn.
func (c *monoClock) at(reading int64) time.Time {
	return c.wall.Add(time.Duration(reading) - c.mono)
}
