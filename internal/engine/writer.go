package engine

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/events"
)

// writer is the one goroutine that calls a sink's driver: Write, Rebuild and
// Close, one at a time, so a driver needs no locks. The host actor gives it
// one job at a time and hears the outcome as a message; the actor itself
// never blocks on the driver, so a hung backend cannot stop it from taking
// events, applying the overflow policy or answering Close.
//
// The writer outlives restarts of the host actor. It ends after Close.
type writer struct {
	name    string
	sink    sinks.Sink // the current driver; touched by this goroutine only once started
	stale   bool       // sink was closed for a rebuild that has not succeeded yet
	timeout time.Duration
	jobs    chan job
	report  func(msg any) // sends msg to the host actor
	logger  *slog.Logger  // the bus's, labelled with the sink's name
	exited  chan struct{}

	// interrupt cancels the Write in flight when Close gives up on it; it is
	// the parent of every Write's context.
	ctx       context.Context
	interrupt context.CancelFunc
}

// A job is one call to the driver.
type job struct {
	batch   []*events.Event    // Write
	rebuild bool               // Close the crashed driver, then Rebuild it
	close   context.Context    // Close
	cancel  context.CancelFunc // if set, called once Close returns
}

// Outcomes the writer reports to its host.
type (
	writeDone struct {
		err   error
		crash *supervisor.Crash
	}
	rebuilt struct{ err error }
	closed  struct{ err error }
)

func newWriter(name string, s sinks.Sink, timeout time.Duration, report func(any)) *writer {
	w := &writer{name: name, sink: s, timeout: timeout, jobs: make(chan job, 2), report: report, exited: make(chan struct{})}
	w.ctx, w.interrupt = context.WithCancel(context.Background())
	return w
}

func (w *writer) start() {
	w.attach(w.sink)
	go w.run()
}

// attach gives a driver instance the bus's logger, if it logs.
func (w *writer) attach(s sinks.Sink) {
	if lg, ok := s.(sinks.Logging); ok && w.logger != nil {
		lg.LogTo(w.logger)
	}
}

func (w *writer) run() {
	defer close(w.exited)
	for j := range w.jobs {
		switch {
		case j.close != nil:
			err := w.closeSink(j.close)
			if j.cancel != nil {
				j.cancel()
			}
			w.report(closed{err: err})
			w.interrupt()
			return
		case j.rebuild:
			w.report(rebuilt{err: w.rebuildSink()})
		default:
			crash, err := w.write(j.batch)
			w.report(writeDone{err: err, crash: crash})
		}
	}
}

func (w *writer) write(batch []*events.Event) (crash *supervisor.Crash, err error) {
	ctx, cancel := context.WithTimeout(w.ctx, w.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			crash = &supervisor.Crash{Sink: w.name, Value: r, Stack: debug.Stack()}
		}
	}()
	return nil, w.sink.Write(ctx, batch)
}

// rebuildSink gives a restarted sink a fresh start: the crashed driver is
// closed first (bounded; its error is ignored, it is broken), so that it lets
// go of what it holds, and then asked for a new instance of itself built from
// the same configuration. A failed Rebuild is tried again by the next job;
// the closed instance is never written to meanwhile.
func (w *writer) rebuildSink() (err error) {
	rb, ok := w.sink.(sinks.Rebuilder)
	if !ok {
		return nil // nothing to rebuild: the same instance carries on
	}
	ctx, cancel := context.WithTimeout(w.ctx, w.timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sink %s: Rebuild panicked: %v", w.name, r)
		}
	}()
	if !w.stale {
		w.stale = true
		func() {
			defer func() { _ = recover() }()
			_ = w.sink.Close(ctx)
		}()
	}
	fresh, err := rb.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("sink %s: rebuild: %w", w.name, err)
	}
	if fresh == nil {
		return fmt.Errorf("sink %s: Rebuild returned no sink", w.name)
	}
	w.attach(fresh)
	w.sink, w.stale = fresh, false
	return nil
}

func (w *writer) closeSink(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sink %s: Close panicked: %v", w.name, r)
		}
	}()
	return w.sink.Close(ctx)
}
