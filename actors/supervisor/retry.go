package supervisor

import (
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v4"
)

// Retry says how a failed batch is retried: exponential backoff with jitter,
// from cenkalti/backoff. The zero value retries forever, starting at 100ms and
// doubling up to 10s with ±50% jitter; the bounded buffer and the circuit
// breaker, not the retry count, keep a dead backend from costing more.
type Retry struct {
	// InitialInterval is the wait before the first retry. Default 100ms.
	InitialInterval time.Duration
	// Multiplier grows the wait after each failure. Default 2.
	Multiplier float64
	// MaxInterval caps the wait. Default 10s.
	MaxInterval time.Duration
	// Jitter is the randomization factor in [0,1): each wait is drawn from
	// interval·(1±Jitter). Default 0.5; set NoJitter for exact waits.
	Jitter float64
	// NoJitter makes every wait exact (Jitter is ignored).
	NoJitter bool
	// MaxRetries is how many times one batch is retried before its events are
	// dropped and counted as "retries_exhausted". 0 means no limit.
	MaxRetries int
	// MaxElapsed is how long one batch may keep failing before its events are
	// dropped and counted as "retries_exhausted". 0 means no limit.
	MaxElapsed time.Duration
}

func (r Retry) withDefaults() Retry {
	if r.InitialInterval == 0 {
		r.InitialInterval = 100 * time.Millisecond
	}
	if r.Multiplier == 0 {
		r.Multiplier = 2
	}
	if r.MaxInterval == 0 {
		r.MaxInterval = 10 * time.Second
	}
	if r.NoJitter {
		r.Jitter = 0
	} else if r.Jitter == 0 {
		r.Jitter = 0.5
	}
	return r
}

// Validate reports a configuration error, or nil.
func (r Retry) Validate() error {
	switch {
	case r.InitialInterval < 0, r.MaxInterval < 0, r.MaxElapsed < 0:
		return fmt.Errorf("retry: intervals must not be negative")
	case r.Multiplier != 0 && r.Multiplier < 1:
		return fmt.Errorf("retry: Multiplier %v is below 1", r.Multiplier)
	case r.Jitter < 0 || r.Jitter >= 1:
		return fmt.Errorf("retry: Jitter %v is outside [0,1)", r.Jitter)
	case r.MaxRetries < 0:
		return fmt.Errorf("retry: MaxRetries %d is negative", r.MaxRetries)
	}
	return nil
}

// NewBackOff returns the schedule of waits for one batch. It never returns
// backoff.Stop itself: limits are enforced by [RetryState].
func (r Retry) NewBackOff() backoff.BackOff {
	r = r.withDefaults()
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = r.InitialInterval
	b.Multiplier = r.Multiplier
	b.MaxInterval = r.MaxInterval
	b.RandomizationFactor = r.Jitter
	b.MaxElapsedTime = 0
	b.Reset()
	return b
}

// RetryState tracks the retries of the batch a host has in hand.
type RetryState struct {
	policy   Retry
	b        backoff.BackOff
	attempts int
	first    time.Time
}

// NewRetryState returns the state for a policy; call Reset for each new batch.
func NewRetryState(p Retry) *RetryState {
	return &RetryState{policy: p, b: p.NewBackOff()}
}

// Reset starts counting for a new batch.
func (s *RetryState) Reset() {
	s.attempts = 0
	s.first = time.Time{}
	s.b.Reset()
}

// Failed records a failed attempt at now and returns the wait before the next
// attempt, or ok=false when the policy's limits say to give the batch up.
func (s *RetryState) Failed(now time.Time) (wait time.Duration, ok bool) {
	if s.attempts == 0 {
		s.first = now
	}
	s.attempts++
	if s.policy.MaxRetries > 0 && s.attempts > s.policy.MaxRetries {
		return 0, false
	}
	if s.policy.MaxElapsed > 0 && now.Sub(s.first) >= s.policy.MaxElapsed {
		return 0, false
	}
	return s.b.NextBackOff(), true
}

// Attempts is the number of failed attempts since the last Reset.
func (s *RetryState) Attempts() int { return s.attempts }
