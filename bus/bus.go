package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sort"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/engine"
)

// Bus carries events from producers to sinks. Its methods are safe for
// concurrent use. Emit never blocks on a sink and never does I/O on the
// caller's goroutine.
type Bus struct {
	e      *engine.Engine
	logger *slog.Logger // Config.Logger, for Shutdown's report; may be nil
}

// New validates cfg and starts a bus: one router actor and one supervised
// host actor per sink. Invalid configuration returns an error wrapping
// ErrInvalidConfig and starts nothing.
func New(cfg Config) (*Bus, error) {
	ec, err := cfg.engineConfig()
	if err != nil {
		return nil, err
	}
	e, err := engine.Start(ec)
	if err != nil {
		return nil, err
	}
	return &Bus{e: e, logger: cfg.Logger}, nil
}

func (cfg Config) engineConfig() (engine.Config, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if cfg.IntakeSize < 0 {
		bad("IntakeSize %d is negative", cfg.IntakeSize)
	}
	if cfg.Linger < 0 {
		bad("Linger %v is negative", cfg.Linger)
	}
	if cfg.Linger > MaxLinger {
		bad("Linger %v exceeds %v", cfg.Linger, MaxLinger)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ec := engine.Config{IntakeSize: cfg.IntakeSize, Linger: cfg.Linger, Logger: logger}
	if ec.IntakeSize == 0 {
		ec.IntakeSize = DefaultIntakeSize
	}
	if ec.Linger == 0 {
		ec.Linger = DefaultLinger
	}
	if cfg.Linger < 0 || cfg.NoLinger {
		ec.Linger = 0
	}
	names, nameErrs := sinkNames(cfg.Sinks)
	errs = append(errs, nameErrs...)
	for i, s := range cfg.Sinks {
		if isNil(s) {
			bad("Sinks[%d] is nil (%T)", i, s)
			continue
		}
		opts := hostOptions(s)
		name := names[i]
		if err := opts.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%w: Sinks[%d] (%s): %w", ErrInvalidConfig, i, name, err))
			continue
		}
		opts = opts.WithDefaults()
		if opts.BatchSize > opts.BufferSize {
			bad("Sinks[%d] (%s): BatchSize %d exceeds BufferSize %d", i, name, opts.BatchSize, opts.BufferSize)
			continue
		}
		ec.Sinks = append(ec.Sinks, engine.Sink{Sink: s, Name: name, Options: opts})
	}
	return ec, errors.Join(errs...)
}

// isNil reports whether s is nil or a typed nil, such as the
// (*terminal.Sink)(nil) a failed constructor returns.
func isNil(s sinks.Sink) bool {
	if s == nil {
		return true
	}
	v := reflect.ValueOf(s)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// Emit hands ev to every sink whose filter accepts it and returns at once.
// An empty EventID gets a new one, a zero Timestamp the current time, and an
// empty EventType "unknown" (the wire format requires one).
//
// Emit copies ev into the bus's intake without allocating. After Emit returns
// the bus shares ev's maps with the sinks: do not modify them. When the
// intake is full (the bus cannot keep up with its producers), the event is
// dropped and counted ("intake_full") for every sink that would have taken
// it. On a closed bus the event is counted as "emitted_after_close"; on a nil
// bus, or one without sinks, nothing happens.
func (b *Bus) Emit(ev events.Event) {
	if b == nil {
		return
	}
	if ev.EventType == "" {
		ev.EventType = "unknown"
	}
	b.e.Emit(&ev)
}

// Health returns a snapshot of every sink, in configuration order.
func (b *Bus) Health() []sinks.Health { return b.e.Health() }

// Flush returns once every event emitted before the call has been delivered
// by every sink, or dropped and counted: a barrier through the router and
// every sink, as zap's Sync is. It returns an error wrapping ctx's when ctx
// ends first, naming the sinks still delivering (a sink whose backend is down
// holds Flush until its circuit lets it deliver), and ErrClosed once Close
// has begun. It does not stop or slow Emit.
func (b *Bus) Flush(ctx context.Context) error {
	if b == nil {
		return nil
	}
	if err := b.e.Flush(ctx); err != nil {
		if errors.Is(err, engine.ErrClosed) {
			return ErrClosed
		}
		return fmt.Errorf("bus: %w", err)
	}
	return nil
}

// Resume lets a sink that its supervision policy paused (PauseSink, after
// too many restarts) write again; its driver is rebuilt first when the
// policy's last decision was to restart it. It returns
// ErrUnknownSink for a name no sink has, ErrNotPaused for a sink that is not
// paused, and ErrClosed once Close has begun.
func (b *Bus) Resume(name string) error {
	err := b.e.Resume(name)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, engine.ErrUnknownSink):
		return fmt.Errorf("%w: %q", ErrUnknownSink, name)
	case errors.Is(err, engine.ErrNotPaused):
		return fmt.Errorf("%w: %s", ErrNotPaused, strings.TrimPrefix(err.Error(), engine.ErrNotPaused.Error()+": "))
	case errors.Is(err, engine.ErrClosed):
		return ErrClosed
	}
	return err
}

// Close stops intake, lets every sink deliver what it holds until ctx ends,
// closes the sinks and stops the bus's actors, leaving no goroutine behind.
//
// It returns nil only when every event emitted since New was delivered by
// every sink that took it; otherwise a *CloseError that says, per sink and
// reason, what was lost over the bus's whole life (overflow, intake full,
// permanent errors, a stopped sink, undelivered at close, ...), and what a
// sink's spool keeps for the next bus (not lost), so a caller can read it as
// "was everything delivered?".
//
// When ctx ends, what the sinks still hold is dropped and counted
// (undelivered_at_close), a Write in flight is interrupted (its context is
// cancelled; the drivers of this module then drop the connection) and counted
// by its outcome (unconfirmed_at_close for what it did not confirm), and each
// driver's Close gets a short grace. Close returns at most about half a second
// after ctx ends; a driver whose Write or Close ignores its context is given
// up on about 2 s after ctx ends, reported in the error, and its goroutine is
// left running until that call returns. Later calls wait for the first and
// return its result.
func (b *Bus) Close(ctx context.Context) error {
	if b == nil {
		return nil
	}
	report, err := b.e.Close(ctx)
	ce := &CloseError{Lost: map[string]map[sinks.DropReason]uint64{}, Spooled: map[string]uint64{}, Err: err}
	for _, s := range report.Sinks {
		if s.Lost() > 0 {
			ce.Lost[s.Name] = s.Dropped
		}
		if s.Spooled > 0 {
			ce.Spooled[s.Name] = s.Spooled
		}
	}
	if len(ce.Lost) == 0 && len(ce.Spooled) == 0 && err == nil {
		return nil
	}
	return ce
}

// CloseError reports what a bus did not deliver over its whole life.
type CloseError struct {
	// Lost counts, per sink name and reason, the events emitted since New
	// that the sink did not deliver; the same figures Health shows as
	// Dropped. Sinks that lost nothing are absent.
	Lost map[string]map[sinks.DropReason]uint64
	// Spooled counts, per sink name, the events not delivered yet that the
	// sink's spool keeps for the next bus on the same directory: not lost,
	// and not counted in Lost or Total.
	Spooled map[string]uint64
	// Err joins the context's error and any sink's Close error.
	Err error
}

// Total is how many events were lost, over every sink and reason.
func (e *CloseError) Total() uint64 {
	var n uint64
	for _, byReason := range e.Lost {
		for _, v := range byReason {
			n += v
		}
	}
	return n
}

// Error lists, per sink, what was lost and why.
func (e *CloseError) Error() string {
	names := make([]string, 0, len(e.Lost))
	for n := range e.Lost {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("bus: close:")
	for _, n := range names {
		var total uint64
		var parts []string
		for _, r := range sinks.DropReasons() {
			if v := e.Lost[n][r]; v > 0 {
				total += v
				parts = append(parts, fmt.Sprintf("%s %d", r, v))
			}
		}
		fmt.Fprintf(&b, " %s lost %d events (%s);", n, total, strings.Join(parts, ", "))
	}
	spooled := make([]string, 0, len(e.Spooled))
	for n := range e.Spooled {
		spooled = append(spooled, n)
	}
	sort.Strings(spooled)
	for _, n := range spooled {
		fmt.Fprintf(&b, " %s left %d events in its spool for the next bus;", n, e.Spooled[n])
	}
	if len(names) == 0 && len(spooled) == 0 {
		b.WriteString(" every event delivered;")
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " %v", e.Err)
	}
	return strings.TrimSuffix(b.String(), ";")
}

// Unwrap returns the underlying errors, so errors.Is(err,
// context.DeadlineExceeded) works.
func (e *CloseError) Unwrap() error { return e.Err }
