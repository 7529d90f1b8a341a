package sinks

import (
	"fmt"
	"time"
)

// State is the lifecycle state of a sink host.
type State int32

// The states of a sink host.
const (
	// Running: the sink accepts and writes events.
	Running State = iota
	// Restarting: the driver panicked; the host was restarted and is waiting
	// out its restart backoff. Events are buffered meanwhile.
	Restarting
	// Paused: the restart limit was exceeded under the PauseSink policy. Events
	// are buffered until the bus's Restart resumes the sink.
	Paused
	// Stopped: the sink was stopped by its supervisor; later events are dropped
	// and counted.
	Stopped
	// Closed: the bus was closed.
	Closed
)

// String names the state as Health and metrics show it.
func (s State) String() string {
	switch s {
	case Running:
		return "running"
	case Restarting:
		return "restarting"
	case Paused:
		return "paused"
	case Stopped:
		return "stopped"
	case Closed:
		return "closed"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// DropReason says why an event meant for a sink was not delivered.
type DropReason int

// The reasons an event is dropped. Every dropped event is counted under
// exactly one of them.
const (
	// DropOverflow: the sink's buffer was full (see Overflow).
	DropOverflow DropReason = iota
	// DropPermanent: the sink reported an error that retrying cannot cure.
	DropPermanent
	// DropRetriesExhausted: the retry policy's MaxRetries or MaxElapsed ran out.
	DropRetriesExhausted
	// DropSinkStopped: the sink was stopped by its supervisor.
	DropSinkStopped
	// DropClosed: the bus closed before the event could be delivered (Close's
	// deadline passed, or the event was emitted after Close).
	DropClosed
	numDropReasons
)

// String names the reason as Health and metrics show it.
func (r DropReason) String() string {
	switch r {
	case DropOverflow:
		return "overflow"
	case DropPermanent:
		return "permanent_error"
	case DropRetriesExhausted:
		return "retries_exhausted"
	case DropSinkStopped:
		return "sink_stopped"
	case DropClosed:
		return "closed"
	}
	return fmt.Sprintf("DropReason(%d)", int(r))
}

// DropReasons lists every DropReason, in order.
func DropReasons() []DropReason {
	rs := make([]DropReason, numDropReasons)
	for i := range rs {
		rs[i] = DropReason(i)
	}
	return rs
}

// Health is a snapshot of one sink's state and counters. Counters only grow.
// For every sink, Received = Delivered + dropped (all reasons) + Buffered at
// any quiet moment; at the end of Close, Buffered is 0.
type Health struct {
	// Name labels the sink.
	Name string `json:"name"`
	// State is the host's lifecycle state.
	State State `json:"state"`
	// Circuit is the breaker's state and CircuitSince when it began.
	Circuit      string    `json:"circuit"`
	CircuitSince time.Time `json:"circuit_since"`
	// Received counts events that matched the sink's filter.
	Received uint64 `json:"received"`
	// Delivered counts events the sink confirmed.
	Delivered uint64 `json:"delivered"`
	// Batches counts successful Writes.
	Batches uint64 `json:"batches"`
	// FailedAttempts counts Writes that failed (errors, timeouts, panics).
	FailedAttempts uint64 `json:"failed_attempts"`
	// ConsecutiveFailures is the number of failed attempts since the last
	// success.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// Dropped counts undelivered events by reason (see DropReason.String).
	Dropped map[string]uint64 `json:"dropped"`
	// Buffered is how many events the host holds now, the batch in hand
	// included; BufferedHighWater is the most it has held.
	Buffered          int `json:"buffered"`
	BufferedHighWater int `json:"buffered_high_water"`
	// Restarts counts restarts after driver panics.
	Restarts uint64 `json:"restarts"`
	// LastError is the most recent failure, with credentials redacted, and
	// LastErrorAt when it happened.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// DroppedTotal sums Dropped over every reason.
func (h Health) DroppedTotal() uint64 {
	var n uint64
	for _, v := range h.Dropped {
		n += v
	}
	return n
}

// IsRunning reports whether the sink accepts and writes events.
func (h Health) IsRunning() bool { return h.State == Running }

// CircuitOpen reports whether the breaker keeps the sink from writing.
func (h Health) CircuitOpen() bool { return h.Circuit != "closed" }

// Healthy reports whether the sink is running with a closed circuit.
func (h Health) Healthy() bool { return h.State == Running && h.Circuit == "closed" }

// MarshalText encodes the state as its name, for JSON health reports.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state from its name, so health reports read back.
func (s *State) UnmarshalText(b []byte) error {
	for c := Running; c <= Closed; c++ {
		if c.String() == string(b) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("sinks: unknown state %q", b)
}
