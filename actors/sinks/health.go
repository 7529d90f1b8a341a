package sinks

import (
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/supervisor"
)

// State is where a sink stands in its lifecycle.
type State int32

// The states of a sink.
const (
	// Running: the sink takes and writes events.
	Running State = iota
	// Restarting: the driver panicked and its supervisor restarted it; the
	// sink waits out the restart backoff, then its driver is rebuilt (see
	// Rebuilder). Events are buffered meanwhile.
	Restarting
	// Paused: the restart limit was exceeded under the PauseSink policy.
	// Events are buffered until the bus's Resume resumes the sink.
	Paused
	// Stopped: the sink's supervisor stopped it; later events are dropped
	// and counted as sink_stopped.
	Stopped
	// Draining: the bus is closing; the sink delivers what it holds.
	Draining
	// Finished: the bus closed; the sink's driver has been closed.
	Finished
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
	case Draining:
		return "draining"
	case Finished:
		return "finished"
	}
	return fmt.Sprintf("State(%d)", int32(s))
}

// DropReason says why an event meant for a sink was not delivered.
type DropReason int

// The reasons an event is dropped. Every dropped event is counted under
// exactly one of them.
const (
	// DropOverflow: the sink's buffer was full (see Overflow), or the sink's
	// host could not even take events in (it got no CPU under a flood).
	DropOverflow DropReason = iota
	// DropIntakeFull: the bus's intake was full when Emit was called: the
	// router could not keep up with the producers. Counted for every sink
	// whose filter accepts the event.
	DropIntakeFull
	// DropPermanent: the sink reported an error that retrying cannot cure.
	DropPermanent
	// DropRetriesExhausted: the retry policy's MaxRetries or MaxElapsed ran out.
	DropRetriesExhausted
	// DropSinkStopped: the sink's supervisor stopped it.
	DropSinkStopped
	// DropTransform: the sink's Transform returned nil (it dropped the event
	// on purpose) or panicked (logged); the original is never sent instead.
	DropTransform
	// DropSpoolFull: the sink's spool was full (Spool.MaxBytes) and refused
	// the event.
	DropSpoolFull
	// DropSpoolCorrupt: the event's record in the spool was found corrupt
	// (checksum mismatch) when the spool was opened or read back.
	DropSpoolCorrupt
	// DropUndelivered: the sink still held the event, unsent, when Close's
	// context ended.
	DropUndelivered
	// DropUnconfirmed: the event was in the Write that Close interrupted when
	// its context ended: the backend may have stored it or not, nobody can
	// say (consumers de-duplicate by event_id). Counted apart so that
	// undelivered_at_close means "never reached the backend".
	DropUnconfirmed
	// DropAfterClose: the event was emitted after Close began.
	DropAfterClose
	numDropReasons
)

// String names the reason as Health and metrics show it.
func (r DropReason) String() string {
	switch r {
	case DropOverflow:
		return "overflow"
	case DropIntakeFull:
		return "intake_full"
	case DropPermanent:
		return "permanent_error"
	case DropRetriesExhausted:
		return "retries_exhausted"
	case DropSinkStopped:
		return "sink_stopped"
	case DropTransform:
		return "transform"
	case DropSpoolFull:
		return "spool_full"
	case DropSpoolCorrupt:
		return "spool_corrupt"
	case DropUndelivered:
		return "undelivered_at_close"
	case DropUnconfirmed:
		return "unconfirmed_at_close"
	case DropAfterClose:
		return "emitted_after_close"
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
// For every sink, Received = Delivered + DroppedTotal() + Buffered at any
// quiet moment; once Close has returned, Buffered is 0, or for a sink with a
// spool the events left in it for the next bus.
type Health struct {
	// Name labels the sink.
	Name string `json:"name"`
	// State is where the sink stands in its lifecycle.
	State State `json:"state"`
	// Circuit is the breaker's state, and CircuitSince when it began.
	Circuit      supervisor.Circuit `json:"circuit"`
	CircuitSince time.Time          `json:"circuit_since"`
	// Received counts events that matched the sink's filter.
	Received uint64 `json:"received"`
	// Delivered counts events the sink confirmed.
	Delivered uint64 `json:"delivered"`
	// Batches counts successful Writes.
	Batches uint64 `json:"batches"`
	// FailedAttempts counts Writes that failed (errors, timeouts, panics)
	// and failed rebuilds.
	FailedAttempts uint64 `json:"failed_attempts"`
	// ConsecutiveFailures is the number of failed attempts since the last
	// success.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// Dropped counts undelivered events by reason (see DropReason.String).
	Dropped map[string]uint64 `json:"dropped"`
	// Buffered is how many events the sink holds now, the batch in hand and
	// events on their way to it included; BufferedHighWater is the most its
	// buffer has held.
	Buffered          int `json:"buffered"`
	BufferedHighWater int `json:"buffered_high_water"`
	// Restarts counts restarts after driver panics.
	Restarts uint64 `json:"restarts"`
	// Spool describes the sink's spool, when it has one; Buffered then
	// includes the events waiting on disk.
	Spool *SpoolHealth `json:"spool,omitempty"`
	// LastError is the most recent failure, with credentials redacted, and
	// LastErrorAt when it happened.
	LastError   string    `json:"last_error,omitempty"`
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
}

// SpoolHealth is the state of a sink's spool.
type SpoolHealth struct {
	// Dir is the spool's directory.
	Dir string `json:"dir"`
	// Bytes is the size of its files; Events the events it holds that were
	// not delivered yet, and OldestAge the age of the oldest of them.
	Bytes     int64         `json:"bytes"`
	Events    uint64        `json:"events"`
	OldestAge time.Duration `json:"oldest_age_ns"`
	// FsyncLast and FsyncP99 are the latest fsync's duration and the 99th
	// percentile of the recent ones; Fsyncs counts them.
	FsyncLast time.Duration `json:"fsync_last_ns"`
	FsyncP99  time.Duration `json:"fsync_p99_ns"`
	Fsyncs    uint64        `json:"fsyncs"`
	// CorruptSkipped counts records found corrupt and skipped (also counted
	// in Dropped as spool_corrupt).
	CorruptSkipped uint64 `json:"corrupt_skipped"`
	// Failing reports that the disk's latest write or fsync failed. After a
	// failed write the sink holds new events in memory only until the disk
	// works again; after a failed fsync the events it covered stay spooled
	// but count as durable only once delivered.
	// DiskErrors counts failed operations, LastError is the latest.
	Failing    bool   `json:"failing"`
	DiskErrors uint64 `json:"disk_errors"`
	LastError  string `json:"last_error,omitempty"`
}

// DroppedTotal sums Dropped over every reason.
func (h Health) DroppedTotal() uint64 {
	var n uint64
	for _, v := range h.Dropped {
		n += v
	}
	return n
}

// IsRunning reports whether the sink takes and writes events, as the Python
// streamll's sink.is_running did.
func (h Health) IsRunning() bool { return h.State == Running }

// Failures is the number of failed attempts since the last success, as the
// Python streamll's sink.failures was.
func (h Health) Failures() int { return h.ConsecutiveFailures }

// CircuitOpen reports whether the breaker keeps the sink from writing (open,
// or half-open with its one probe in flight), as the Python streamll's
// sink.circuit_open did.
func (h Health) CircuitOpen() bool { return h.Circuit != supervisor.Closed }

// Healthy reports whether the sink is running with a closed circuit.
func (h Health) Healthy() bool { return h.State == Running && h.Circuit == supervisor.Closed }

// MarshalText encodes the state as its name, for JSON health reports.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText decodes a state from its name, so health reports read back.
func (s *State) UnmarshalText(b []byte) error {
	for c := Running; c <= Finished; c++ {
		if c.String() == string(b) {
			*s = c
			return nil
		}
	}
	return fmt.Errorf("sinks: unknown state %q", b)
}
