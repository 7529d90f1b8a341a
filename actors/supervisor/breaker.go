package supervisor

import (
	"fmt"
	"time"
)

// Circuit is the state of a circuit breaker.
type Circuit int32

// The states of a circuit breaker.
const (
	// Closed: batches are written normally.
	Closed Circuit = iota
	// Open: the backend kept failing; no I/O is attempted and events are buffered.
	Open
	// HalfOpen: the recovery timeout passed and exactly one probe batch is in flight.
	HalfOpen
)

// String names the state as Health and metrics show it.
func (c Circuit) String() string {
	switch c {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return fmt.Sprintf("Circuit(%d)", int32(c))
}

// MarshalText encodes the state as its name, for JSON health reports.
func (c Circuit) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText decodes a state from its name, so health reports read back.
func (c *Circuit) UnmarshalText(b []byte) error {
	for s := Closed; s <= HalfOpen; s++ {
		if s.String() == string(b) {
			*c = s
			return nil
		}
	}
	return fmt.Errorf("supervisor: unknown circuit state %q", b)
}

// BreakerPolicy configures a circuit breaker. The zero value is enabled: open
// after 5 consecutive failures, probe again every 5s. The Python streamll
// probed after 30s; a probe is one batch, nearly free for a dead server, while
// each second the circuit stays open after the server is back is a second of
// events waiting in, and overflowing, the buffer.
type BreakerPolicy struct {
	// Disabled turns the breaker off: failed batches are retried on the retry
	// schedule alone.
	Disabled bool
	// FailureThreshold is how many consecutive failed attempts (errors and
	// timeouts alike) open the circuit. Default 5.
	FailureThreshold int
	// RecoveryTimeout is how long the circuit stays open before one probe batch
	// is let through. Default 5s.
	RecoveryTimeout time.Duration
}

func (p BreakerPolicy) withDefaults() BreakerPolicy {
	if p.FailureThreshold == 0 {
		p.FailureThreshold = 5
	}
	if p.RecoveryTimeout == 0 {
		p.RecoveryTimeout = 5 * time.Second
	}
	return p
}

// Validate reports a configuration error, or nil.
func (p BreakerPolicy) Validate() error {
	if p.FailureThreshold < 0 {
		return fmt.Errorf("breaker: FailureThreshold %d is negative", p.FailureThreshold)
	}
	if p.RecoveryTimeout < 0 {
		return fmt.Errorf("breaker: RecoveryTimeout %v is negative", p.RecoveryTimeout)
	}
	return nil
}

// Breaker is a circuit breaker driven by one goroutine (a sink host actor). It
// is written here rather than taken from sony/gobreaker because the host needs
// what gobreaker does not give: a probe that is exactly one batch whose result
// may arrive long after it was allowed, the instant the circuit may be probed
// (to arm a timer rather than poll), and no locks on a path that has one owner.
type Breaker struct {
	policy   BreakerPolicy
	state    Circuit
	since    time.Time
	failures int
	onChange func(from, to Circuit)
}

// NewBreaker returns a closed breaker. onChange, if not nil, is called on every
// state change, from the goroutine that caused it.
func NewBreaker(p BreakerPolicy, now time.Time, onChange func(from, to Circuit)) *Breaker {
	return &Breaker{policy: p.withDefaults(), since: now, onChange: onChange}
}

// State returns the current state and when it began.
func (b *Breaker) State() (Circuit, time.Time) { return b.state, b.since }

// ConsecutiveFailures is the number of failed attempts since the last success.
func (b *Breaker) ConsecutiveFailures() int { return b.failures }

// Allow reports whether a batch may be written at now. When the circuit is open
// and the recovery timeout has passed it moves to half-open and allows exactly
// one probe; until that probe's result is recorded it allows nothing else.
func (b *Breaker) Allow(now time.Time) bool {
	if b.policy.Disabled {
		return true
	}
	switch b.state {
	case Closed:
		return true
	case Open:
		if now.Before(b.ProbeAt()) {
			return false
		}
		b.set(HalfOpen, now)
		return true
	default: // HalfOpen: the probe is in flight
		return false
	}
}

// ProbeAt is when an open circuit will let its probe through.
func (b *Breaker) ProbeAt() time.Time { return b.since.Add(b.policy.RecoveryTimeout) }

// Success records a delivered batch: the circuit closes.
func (b *Breaker) Success(now time.Time) {
	b.failures = 0
	if b.state != Closed {
		b.set(Closed, now)
	}
}

// Failure records a failed attempt. A failed probe re-opens the circuit; in the
// closed state the circuit opens once FailureThreshold attempts in a row failed.
func (b *Breaker) Failure(now time.Time) {
	b.failures++
	if b.policy.Disabled {
		return
	}
	switch b.state {
	case HalfOpen:
		b.set(Open, now)
	case Closed:
		if b.failures >= b.policy.FailureThreshold {
			b.set(Open, now)
		}
	}
}

func (b *Breaker) set(to Circuit, now time.Time) {
	from := b.state
	b.state, b.since = to, now
	if b.onChange != nil {
		b.onChange(from, to)
	}
}
