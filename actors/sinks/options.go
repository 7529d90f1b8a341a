package sinks

import (
	"errors"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// Overflow says which events a full buffer drops.
type Overflow int

const (
	// DropOldest evicts the oldest buffered event to make room for the new one,
	// keeping the most recent history. This is the default.
	DropOldest Overflow = iota
	// DropNewest refuses the new event and keeps what is buffered.
	DropNewest
)

// String names the policy.
func (o Overflow) String() string {
	switch o {
	case DropOldest:
		return "drop_oldest"
	case DropNewest:
		return "drop_newest"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

// Options configure the host that runs a sink: its filter, batching, bounded
// buffer, retries, circuit breaker and supervision. The zero value is valid;
// each field documents its default. The drivers of this module embed Options
// in their Config; [WithOptions] attaches them to any other Sink.
type Options struct {
	// Name labels the sink in Health, logs and metrics. Default: the sink's
	// own name (see Namer), else its position ("sink-0", ...), with a "#2"
	// (or "#3", ...) suffix when an earlier sink has it. A name set here must
	// be unique on its bus, and it is how a bus tells apart two sinks that
	// write to the same destination (see Destined).
	Name string
	// Filter selects the events this sink receives. Default: every event.
	Filter Filter
	// BatchSize is the most events given to one Write. A batch goes out as
	// soon as the sink is free to write: the bus gathers events for a short
	// linger before it routes them (see bus.Config.Linger), and while one
	// Write is in flight the next batch fills, so a quiet stream is written
	// in small batches with little delay and a busy one in full batches.
	// Default DefaultBatchSize (256), or the driver's own (1000 for Redis,
	// the confirm or ack window for RabbitMQ and NATS), and never more than
	// BufferSize: see DefaultBatch, the one place that decides it.
	BatchSize int
	// BufferSize bounds, in events, what the host holds while the sink is
	// slow, failing or open-circuited (the batch in hand included). Beyond it
	// Overflow decides which events are dropped; every drop is counted.
	// Default 10000.
	BufferSize int
	// Overflow picks the events a full buffer drops. Default DropOldest.
	Overflow Overflow
	// WriteTimeout bounds each Write; a timeout counts as a failed attempt,
	// with the breaker too. Default 1s: a healthy Redis pipeline or RabbitMQ
	// confirm window of 1000 events answers in milliseconds, and a frozen
	// backend must cost failed attempts quickly enough to open the breaker
	// (see docs/supervision.md for the measurement behind it).
	WriteTimeout time.Duration
	// Retry schedules retries of a failed batch. Default: see supervisor.Retry.
	Retry supervisor.Retry
	// Breaker isolates a backend that keeps failing. Default: enabled, opens
	// after 5 consecutive failures, probes every 5s.
	Breaker supervisor.BreakerPolicy
	// Supervision says what happens when the driver panics. Default: restart
	// with backoff, at most 10 times a minute, then stop the sink.
	Supervision supervisor.Policy
	// Transform, if set, rewrites each event for this sink alone before it is
	// buffered, for example to mask or drop content that must not reach this
	// destination (see the capture package). It runs on the sink's own
	// goroutine, so the other sinks see the original. It must not modify its
	// argument: it returns the event unchanged, a modified copy, or nil to
	// drop the event for this sink. A nil result or a panic drops the event,
	// counted as "transform"; the original is never sent instead.
	Transform func(ev *events.Event) *events.Event
	// Spool, when its Dir is set, keeps every event the sink accepts in a
	// write-ahead log on local disk until it is delivered, so that neither a
	// process crash nor an outage longer than BufferSize loses it. Default:
	// no spool (memory only). See Spool.
	Spool Spool
}

// Spool configures a sink's crash-durable spool: a write-ahead log of the
// events the sink accepted and has not delivered. With a spool, BufferSize
// bounds only what is held in memory: events beyond it wait on disk, in
// order, and are read back as the sink catches up; a new bus started on the
// same directory after a crash delivers what the old one had not, first.
// The zero value (no Dir) is no spool.
type Spool struct {
	// Dir is the spool's directory, one per sink, created if missing. One
	// process at a time owns it: a second bus on the same directory fails
	// at New with an error matching ErrSpoolLocked.
	Dir string
	// MaxBytes bounds the spool's files on disk. When it is full, new events
	// are refused and counted as "spool_full", whatever Overflow says: a
	// spool never discards what it durably accepted. Default 1 GiB.
	MaxBytes int64
	// Sync says what survives a crash of the machine (every setting survives
	// a crash of the process): SpoolSyncPeriodic (the default) fsyncs every
	// SyncPeriod, SpoolSyncEveryBatch fsyncs each batch the sink accepts
	// before it counts as buffered, SpoolSyncNever leaves it to the operating
	// system. Bus.Flush fsyncs in any case but SpoolSyncNever.
	Sync SpoolSync
	// SyncPeriod is SpoolSyncPeriodic's period, and how often the record of
	// what was delivered reaches the disk. Default 200ms.
	SyncPeriod time.Duration
}

// SpoolSync is a spool's durability policy.
type SpoolSync int

// The spool's durability policies.
const (
	// SpoolSyncPeriodic fsyncs every Spool.SyncPeriod: a machine crash
	// loses at most the events of the last period.
	SpoolSyncPeriodic SpoolSync = iota
	// SpoolSyncEveryBatch fsyncs every batch the sink takes in before the
	// events count as buffered: a machine crash loses nothing accepted.
	SpoolSyncEveryBatch
	// SpoolSyncNever never fsyncs: the spool survives a process crash, and
	// a machine crash only as far as the kernel had written back.
	SpoolSyncNever
)

// String names the policy.
func (p SpoolSync) String() string {
	switch p {
	case SpoolSyncPeriodic:
		return "periodic"
	case SpoolSyncEveryBatch:
		return "every_batch"
	case SpoolSyncNever:
		return "never"
	}
	return fmt.Sprintf("SpoolSync(%d)", int(p))
}

// Validate reports a configuration error in s, or nil.
func (s Spool) Validate() error {
	switch {
	case s.Dir == "" && s != (Spool{}):
		return errors.New("spool: Dir is empty but other spool settings are set")
	case s.MaxBytes < 0:
		return fmt.Errorf("spool: MaxBytes %d is negative", s.MaxBytes)
	case s.MaxBytes > 0 && s.MaxBytes < 64<<10:
		return fmt.Errorf("spool: MaxBytes %d is below the minimum of 64 KiB", s.MaxBytes)
	case s.SyncPeriod < 0:
		return fmt.Errorf("spool: SyncPeriod %v is negative", s.SyncPeriod)
	case s.Sync < SpoolSyncPeriodic || s.Sync > SpoolSyncNever:
		return fmt.Errorf("spool: unknown Sync %d", s.Sync)
	}
	return nil
}

// Defaults for Options.
const (
	DefaultBatchSize    = 256
	DefaultBufferSize   = 10000
	DefaultWriteTimeout = time.Second
)

// WithDefaults returns o with every unset field at its default.
func (o Options) WithDefaults() Options {
	o = o.DefaultBatch(DefaultBatchSize)
	if o.BufferSize == 0 {
		o.BufferSize = DefaultBufferSize
	}
	if o.WriteTimeout == 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	return o
}

// DefaultBatch returns o with BatchSize set to n, or to the buffer's size if
// that is smaller, when BatchSize is unset: the rule of every default batch
// size. WithDefaults applies it with DefaultBatchSize; drivers whose
// backends are fastest with large batches (a Redis pipeline, a confirm
// window) apply it first with their own n.
func (o Options) DefaultBatch(n int) Options {
	if o.BatchSize != 0 || n <= 0 {
		return o
	}
	buffer := o.BufferSize
	if buffer == 0 {
		buffer = DefaultBufferSize
	}
	if buffer > 0 {
		o.BatchSize = min(n, buffer)
	}
	return o
}

// Validate reports every configuration error in o, each wrapping
// ErrInvalidConfig, or nil.
func (o Options) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if o.BatchSize < 0 {
		bad("BatchSize %d is negative", o.BatchSize)
	}
	if o.BufferSize < 0 {
		bad("BufferSize %d is negative", o.BufferSize)
	}
	if o.BatchSize > 0 && o.BufferSize > 0 && o.BatchSize > o.BufferSize {
		bad("BatchSize %d exceeds BufferSize %d", o.BatchSize, o.BufferSize)
	}
	if o.WriteTimeout < 0 {
		bad("WriteTimeout %v is negative", o.WriteTimeout)
	}
	if o.Overflow != DropOldest && o.Overflow != DropNewest {
		bad("unknown Overflow %d", o.Overflow)
	}
	for _, err := range []error{o.Retry.Validate(), o.Breaker.Validate(), o.Supervision.Validate(), o.Spool.Validate()} {
		if err != nil {
			bad("%v", err)
		}
	}
	return errors.Join(errs...)
}
