package bus

import (
	"sync/atomic"
	"time"
)

// now returns the current time for an event's timestamp, at about half the
// cost of time.Now on machines where reading the wall clock is slow (a
// virtual machine's clock source): it reads only the monotonic clock and
// adds it to a wall-clock reading taken at most clockRefresh ago. The
// result follows the wall clock to within what NTP can slew it in that time
// (microseconds), and a step of the clock shows within clockRefresh.
func (c *clock) now() time.Time {
	a := c.anchor.Load()
	if a != nil {
		if since := time.Since(a.mono); since < clockRefresh {
			return a.wall.Add(since)
		}
	}
	t := time.Now()
	c.anchor.Store(&anchor{wall: t.Round(0), mono: t})
	return t.Round(0)
}

// clockRefresh is how long a wall-clock reading is trusted.
const clockRefresh = 100 * time.Millisecond

type anchor struct {
	wall time.Time // without its monotonic reading
	mono time.Time // the same instant, with it
}

// clock is a bus's source of timestamps (see now).
type clock struct{ anchor atomic.Pointer[anchor] }
