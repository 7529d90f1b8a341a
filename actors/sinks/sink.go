package sinks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/streamll/streamll-go/events"
)

// Sink is a destination for events: a terminal, a Redis stream, a RabbitMQ
// exchange, or anything a user writes. docs/writing-a-sink.md writes one step
// by step, and package sinktest checks a driver against the rules below,
// quoting the rule each of its cases checks.
//
// # Who calls it
//
// The host that runs a Sink calls Write and Close from one goroutine at a
// time, so an implementation needs no locks of its own for them (methods it
// offers to other goroutines, such as a Stats, need their own). The events
// in a batch are shared with other sinks and must not be modified or retained
// after Write returns unless copied.
//
// # Failed batches come back
//
// A batch that Write did not deliver comes back in a later Write: the whole
// batch after an error, the events a *BatchError lists after one (in batch
// order), ahead of newer events, after the host's retry backoff, possibly to
// a new instance (see Rebuilder). So Write must tolerate events it has seen
// before: it delivers them again (delivery is at-least-once, and consumers
// de-duplicate by EventID), or recognises them, as a destination that
// de-duplicates by EventID does. Write reports as delivered only what it
// knows was delivered; what it cannot tell (a timeout after the backend may
// have taken it) it reports undelivered, and the re-send makes a duplicate.
//
// # What the context carries
//
// Write's context has the host's write timeout as its deadline
// (Options.WriteTimeout, 1s by default): it bounds the whole Write,
// connecting, round trip and confirms included, so a driver needs no
// timeout of its own for them. It is also cancelled when Bus.Close gives up
// on the Write in flight (Close's context ended): Write must then return
// promptly, within a fraction of a second, and what it had not finished
// counts as undelivered. Close's context is the one given to Bus.Close, a
// short grace of its own once that one has ended, or the write timeout when
// the host closes a driver after a panic.
//
// # When Close comes
//
// Close comes once per instance: after the last Write, when the bus closes;
// also without any Write, when no event ever reached the sink; after a
// Write that Close's deadline interrupted; and after a Write that panicked,
// when the supervisor rebuilds the sink or stops it. In every case it
// releases what the instance holds (connections, goroutines) and makes later
// Writes fail with ErrClosed.
//
// # A driver does not feed its own bus
//
// A driver must not emit events to the bus it serves, from Write, Close or
// a goroutine of its own, nor log through a logger that does: every such
// event would come back to it, and a failing backend would turn that loop
// into a flood. It reports through its errors, and logs through the logger
// its host gives it (see Logging).
//
// # Optional interfaces
//
// A sink may also implement Namer (its natural name), Destined (where it
// writes, so that a bus refuses a second sink on the same destination),
// Configured (host options of its own), Rebuilder (a fresh instance after a
// panic) and Logging (the bus's logger).
type Sink interface {
	// Write delivers batch, in order. It returns nil when every event was
	// delivered. Otherwise it returns an error that says what happened:
	//   - a *BatchError lists the events that were not delivered; the rest count
	//     as delivered and are never sent again;
	//   - an error marked with Permanent means retrying cannot help: the whole
	//     batch is dropped and counted;
	//   - any other error means nothing in the batch is known to be delivered,
	//     and the whole batch is retried.
	// An empty (or nil) batch delivers nothing and returns nil. Write must
	// return promptly once ctx is done.
	Write(ctx context.Context, batch []*events.Event) error
	// Close flushes what the sink holds and releases its resources. It is called
	// once per instance, with or without Writes before it; an implementation
	// makes later Writes fail with ErrClosed. Calling it again returns nil.
	Close(ctx context.Context) error
}

// Rebuilder is implemented by sinks that can give their host a fresh
// instance of themselves: built from the same configuration, with new
// connections and new internal state. When a driver panics and its
// supervisor restarts it, the host closes the crashed instance and calls
// Rebuild on it, then writes through the new instance (the batch that was in
// hand first). Rebuild runs on the sink's writer goroutine, like Write; it
// should connect lazily or within ctx, and an error is retried after the
// restart backoff. A client the caller supplied (and owns) is reused.
//
// A sink that is not a Rebuilder is neither closed nor replaced after a
// panic: the same instance carries on with the batch in hand, as after a
// resume, so it must be able to recover from its own panic.
type Rebuilder interface {
	Rebuild(ctx context.Context) (Sink, error)
}

// Logging is implemented by drivers that log (connections made and lost,
// for example). The host calls LogTo once before the first Write, and again
// on every instance Rebuild makes, with the bus's logger labelled with the
// sink's name (as Health names it), so that one logger serves the whole bus.
// A driver given a logger of its own in its Config keeps that one.
type Logging interface {
	LogTo(l *slog.Logger)
}

// Namer is implemented by sinks that have a natural name, such as
// "redis:ai_platform_events". The name labels the sink in Health and metrics
// unless Options.Name overrides it.
type Namer interface {
	Name() string
}

// Destined is implemented by sinks that write to a place another sink could
// write to as well: a Redis stream on a server, an exchange on a broker, a
// writer. Destination identifies that place, without credentials, such as
// "redis://localhost:6379/0 stream streamll_events". A bus refuses a sink
// without Options.Name whose destination an earlier sink of it has, since
// each would deliver every event there; the usual cause is two sinks left at
// their driver's default stream, exchange or subject.
type Destined interface {
	Destination() string
}

// Configured is implemented by sinks that carry their own host options, such
// as the drivers of this module, whose Config embeds Options. [WithOptions]
// attaches options to any Sink.
type Configured interface {
	Sink
	HostOptions() Options
}

// WithOptions returns s with host options attached, so that a sink written by
// a user can be given a filter, a buffer size or a breaker policy.
//
// When s already carries options (it implements Configured, as the drivers
// of this module do), the two are merged: every field set in opts wins, and
// every field left at its zero value keeps the driver's own setting, so
// wrapping a Redis sink to add a filter keeps its name and its batch size.
// The result still implements Namer, and Rebuilder when s does.
func WithOptions(s Sink, opts Options) Configured {
	if c, ok := s.(Configured); ok {
		opts = merge(c.HostOptions(), opts)
	}
	w := configured{Sink: s, opts: opts}
	if _, ok := s.(Rebuilder); ok {
		return rebuildable{w}
	}
	return w
}

// merge returns base with every non-zero field of over written over it.
func merge(base, over Options) Options {
	b, o := reflect.ValueOf(&base).Elem(), reflect.ValueOf(over)
	for i := range o.NumField() {
		if f := o.Field(i); !f.IsZero() {
			b.Field(i).Set(f)
		}
	}
	return base
}

type configured struct {
	Sink
	opts Options
}

func (c configured) HostOptions() Options { return c.opts }

func (c configured) Name() string {
	if n, ok := c.Sink.(Namer); ok {
		return n.Name()
	}
	return ""
}

// Destination is the driver's, or "" when it does not say.
func (c configured) Destination() string {
	if d, ok := c.Sink.(Destined); ok {
		return d.Destination()
	}
	return ""
}

// LogTo passes the logger on to the driver, if it logs.
func (c configured) LogTo(l *slog.Logger) {
	if lg, ok := c.Sink.(Logging); ok {
		lg.LogTo(l)
	}
}

// rebuildable is a configured sink whose driver can rebuild itself; the new
// instance keeps the options.
type rebuildable struct{ configured }

func (r rebuildable) Rebuild(ctx context.Context) (Sink, error) {
	fresh, err := r.Sink.(Rebuilder).Rebuild(ctx)
	if err != nil || fresh == nil {
		return fresh, err
	}
	return rebuildable{configured{Sink: fresh, opts: r.opts}}, nil
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("sinks: sink closed")

// ErrSpoolLocked is wrapped by the error New returns when a sink's spool
// directory is owned by another bus, in this process or another.
var ErrSpoolLocked = errors.New("sinks: spool directory in use")

// ErrInvalidConfig is wrapped by every configuration error a sink or a host
// reports at construction.
var ErrInvalidConfig = errors.New("sinks: invalid configuration")

// permanentError marks an error that retrying cannot cure.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as permanent: the events it concerns are dropped and
// counted instead of retried. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// [Permanent].
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Failure names one event of a batch that was not delivered, and why.
type Failure struct {
	// Index is the event's position in the batch given to the Write that
	// returned this error: 0 is batch[0]. When the host sends the failed
	// events again, they are a new batch, and the indexes of a BatchError
	// from that Write refer to it.
	Index int
	// Err is why it failed; mark it with Permanent if a retry cannot help.
	Err error
}

// BatchError reports a partly delivered batch: the events listed in Failed
// were not delivered, every other event of the batch was. The host retries
// the failed events (in batch order) and drops those whose error is permanent.
type BatchError struct {
	// Failed lists the undelivered events in ascending Index order, each
	// once.
	Failed []Failure
}

// Error says how many events failed, and the first failure.
func (e *BatchError) Error() string {
	if len(e.Failed) == 0 {
		return "sinks: batch error with no failures"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sinks: %d event(s) of the batch not delivered: %v", len(e.Failed), e.Failed[0].Err)
	return b.String()
}

// Unwrap returns the errors of the failed events.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}
