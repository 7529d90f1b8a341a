package supervisor

import (
	"fmt"
	"time"
)

// Directive is what a supervisor does with a sink whose driver panicked.
type Directive int

// The directives a Policy's Decide function can return.
const (
	// Restart gives the sink a fresh start after the restart backoff: its
	// host actor is re-created and its driver is closed and rebuilt (see
	// sinks.Rebuilder), so broken connections or state are not carried over.
	// The batch in hand and the buffered events survive, and are written
	// first.
	Restart Directive = iota
	// Resume keeps the host and the driver as they are and retries the batch
	// in hand after the restart backoff: for a panic that says nothing about
	// the driver's state. Resumes count towards MaxRestarts too.
	Resume
	// Stop stops the sink for good; what it still holds is counted as dropped
	// (a spool keeps what it holds for the next bus).
	Stop
)

// String names the directive.
func (d Directive) String() string {
	switch d {
	case Restart:
		return "restart"
	case Resume:
		return "resume"
	case Stop:
		return "stop"
	}
	return fmt.Sprintf("Directive(%d)", int(d))
}

// GiveUp says what happens to a sink whose restarts exceed the policy's limit.
type GiveUp int

const (
	// StopSink stops the sink: its buffered events, and every later event meant
	// for it, are counted as dropped with reason "sink_stopped". The other
	// sinks carry on. This is the default.
	StopSink GiveUp = iota
	// PauseSink keeps the sink's host alive but writes nothing: events keep
	// arriving into its bounded buffer (overflow policy applies) until the bus's
	// Resume method lets it write again.
	PauseSink
)

// Policy is how a sink's supervisor reacts when the sink's driver panics.
// The zero value restarts up to 10 times per minute, waiting 100ms before the
// first restart and doubling up to 10s, then stops the sink.
type Policy struct {
	// MaxRestarts is how many restarts are allowed within Window. Beyond it the
	// supervisor gives up as OnGiveUp says. Default 10; negative means never
	// restart (give up at the first panic).
	MaxRestarts int
	// Window is the sliding window MaxRestarts counts over. Default 1 minute.
	Window time.Duration
	// Backoff spaces restarts: the host waits this long after a restart before
	// it writes again (it keeps accepting events meanwhile). Only the interval
	// fields are used. Default: 100ms doubling to 10s with ±50% jitter.
	Backoff Retry
	// OnGiveUp says what happens when MaxRestarts is exceeded. Default StopSink.
	OnGiveUp GiveUp
	// Decide maps a panic to a directive. The reason is a *Crash. Nil means
	// always Restart. It runs on the bus's router: a Decide that panics, or
	// returns an unknown directive, stops the sink.
	Decide func(reason *Crash) Directive
}

// Validate reports a configuration error, or nil.
func (p Policy) Validate() error {
	if p.Window < 0 {
		return fmt.Errorf("policy: Window %v is negative", p.Window)
	}
	if p.OnGiveUp != StopSink && p.OnGiveUp != PauseSink {
		return fmt.Errorf("policy: unknown OnGiveUp %d", p.OnGiveUp)
	}
	if err := p.Backoff.Validate(); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	return nil
}

func (p Policy) withDefaults() Policy {
	if p.MaxRestarts == 0 {
		p.MaxRestarts = 10
	}
	if p.Window == 0 {
		p.Window = time.Minute
	}
	return p
}

// Crash is the reason a sink host fails with when its driver panics.
type Crash struct {
	// Sink is the name of the sink whose driver panicked.
	Sink string
	// Value is what the driver panicked with.
	Value any
	// Stack is the panicking goroutine's stack.
	Stack []byte
}

// Error names the sink and what it panicked with.
func (c *Crash) Error() string { return fmt.Sprintf("sink %s panicked: %v", c.Sink, c.Value) }

// Decision is what a supervisor decided about a failed sink host. The bus
// hands it to the host before the host is restarted or stopped.
type Decision struct {
	// Directive is what happens to the host.
	Directive Directive
	// Delay is how long a restarted host waits before writing again.
	Delay time.Duration
	// GaveUp is set when the restart limit was exceeded; Directive is then
	// Stop, or Restart with Paused set.
	GaveUp bool
	// Paused is set when the host must not write until resumed by hand.
	Paused bool
	// Reason is the crash that caused the decision.
	Reason *Crash
}
