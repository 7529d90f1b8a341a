package supervisor

import (
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Restarts applies a Policy to the panics of one sink: it counts them over
// the policy's sliding window, spaces restarts by its backoff, and says when
// to give up. It is a plain state machine (the time of each panic is given,
// never read), driven by the sink's supervisor from one goroutine.
type Restarts struct {
	policy  Policy
	recent  []time.Time // the panics that led to a restart or resume, oldest first
	backoff backoff.BackOff
}

// NewRestarts returns the state for a policy, with no panic recorded.
func NewRestarts(p Policy) *Restarts {
	p = p.withDefaults()
	return &Restarts{policy: p, backoff: p.Backoff.NewBackOff()}
}

// Crashed records a panic at now and returns what to do about it.
func (r *Restarts) Crashed(now time.Time, c *Crash) Decision {
	d := Decision{Directive: r.decide(c), Reason: c}
	if d.Directive == Stop {
		return d
	}
	// Restart and Resume both retry the batch that made the driver panic:
	// both wait out the backoff and count towards the limit, so a batch that
	// always panics cannot spin.
	cutoff := now.Add(-r.policy.Window)
	for len(r.recent) > 0 && !r.recent[0].After(cutoff) {
		r.recent = r.recent[1:]
	}
	if len(r.recent) == 0 {
		r.backoff.Reset() // a quiet window starts the schedule over
	}
	r.recent = append(r.recent, now)
	if r.policy.MaxRestarts < 0 || len(r.recent) > r.policy.MaxRestarts {
		d.GaveUp = true
		r.recent = nil
		if r.policy.OnGiveUp == PauseSink {
			d.Paused = true
		} else {
			d.Directive = Stop
		}
		return d
	}
	d.Delay = r.backoff.NextBackOff()
	return d
}

// decide applies the policy's Decide, treating a Decide that panics or
// returns an unknown directive as Stop: that sink stops, the bus carries on.
func (r *Restarts) decide(c *Crash) (d Directive) {
	if r.policy.Decide == nil {
		return Restart
	}
	defer func() {
		if recover() != nil {
			d = Stop
		}
	}()
	d = r.policy.Decide(c)
	if d != Restart && d != Resume && d != Stop {
		d = Stop
	}
	return d
}
