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
// exchange, or anything a user writes.
//
// The host that runs a Sink calls its methods from one goroutine at a time, so
// an implementation needs no locks of its own. The events in a batch are shared
// with other sinks and must not be modified or retained after Write returns
// unless copied.
type Sink interface {
	// Write delivers batch, in order. It returns nil when every event was
	// delivered. Otherwise it returns an error that says what happened:
	//   - a *BatchError lists the events that were not delivered; the rest count
	//     as delivered and are never sent again;
	//   - an error marked with Permanent means retrying cannot help: the whole
	//     batch is dropped and counted;
	//   - any other error means nothing in the batch is known to be delivered,
	//     and the whole batch is retried.
	// Write must return promptly once ctx is done.
	Write(ctx context.Context, batch []*events.Event) error
	// Close flushes what the sink holds and releases its resources. It is called
	// once per host; an implementation makes later Writes fail with ErrClosed.
	// Calling it again returns nil.
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
// A sink that is not a Rebuilder is reused as it is after a restart, as after
// a resume.
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
	// Index is the event's position in the batch given to Write.
	Index int
	// Err is why it failed; mark it with Permanent if a retry cannot help.
	Err error
}

// BatchError reports a partly delivered batch: the events listed in Failed
// were not delivered, every other event of the batch was. The host retries
// the failed events (in batch order) and drops those whose error is permanent.
type BatchError struct {
	// Failed lists the undelivered events in ascending Index order.
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
