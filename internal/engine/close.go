package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Report says, per sink, what became of every event emitted since the
// engine started.
type Report struct {
	Sinks []SinkReport
}

// SinkReport is one sink's part of a Report.
type SinkReport struct {
	Name      string
	Received  uint64
	Delivered uint64
	Dropped   map[sinks.DropReason]uint64 // only reasons with events
	Spooled   uint64                      // left in the sink's spool for the next bus
	Err       error                       // why its Close did not end cleanly
}

// Lost is how many events the sink did not deliver.
func (s SinkReport) Lost() uint64 {
	var n uint64
	for _, v := range s.Dropped {
		n += v
	}
	return n
}

// Close seals the intake, drains every host (see drain.go) until ctx ends,
// stops the actors and waits for every writer goroutine. A host answers at
// most about 2×closeGrace after ctx ends, and Close waits up to closeGuard for
// one that does not; it then waits up to closeGuard again for the writers, so
// a driver stuck in a call costs about 2×closeGrace+closeGuard (2 s) past ctx's
// end, and a host that cannot answer at all up to 2×closeGuard. Later calls
// wait for the first and return its result.
func (e *Engine) Close(ctx context.Context) (Report, error) {
	e.closeOnce.Do(func() {
		e.report, e.closeErr = e.close(ctx)
		close(e.closeDone)
	})
	<-e.closeDone
	return e.report, e.closeErr
}

// closeGuard is how long past ctx's end Close waits for hosts and writers
// before it reports them and returns.
const closeGuard = 2*closeGrace + time.Second

func (e *Engine) close(ctx context.Context) (Report, error) {
	upTo := e.in.seal()
	replies := make(chan drainResult, len(e.hosts))
	e.root.Send(e.router, drainReq{upTo: upTo, ctx: ctx, reply: replies})

	errs := map[string]error{}
	left := map[string]bool{}
	for _, n := range e.names {
		left[n] = true
	}
	var guard <-chan time.Time
wait:
	for len(left) > 0 {
		select {
		case r := <-replies:
			delete(left, r.sink)
			if r.err != nil {
				errs[r.sink] = r.err
			}
		case <-ctx.Done():
			if guard == nil {
				guard = time.After(closeGuard)
			}
			ctx = context.Background() // stop selecting on it
		case <-guard:
			break wait
		}
	}
	for n := range left {
		errs[n] = fmt.Errorf("sink %s did not finish closing within %v of the deadline", n, closeGuard)
	}
	// Every host has finished (or is given up on): stopping them abandons
	// nothing that was not counted.
	if err := e.root.StopFuture(e.router).Wait(); err != nil {
		errs["router"] = fmt.Errorf("stopping the router: %w", err)
	}
	deadline := time.After(closeGuard)
	for _, h := range e.hosts {
		select {
		case <-h.w.exited:
		case <-deadline:
			if errs[h.name] == nil {
				errs[h.name] = fmt.Errorf("sink %s: its driver is still running a call", h.name)
			}
		}
	}
	e.dispatcher.alarm.Stop()
	e.system.Shutdown()
	e.stopDispatchers()

	var report Report
	var all []error
	for _, h := range e.health() {
		sr := SinkReport{Name: h.Name, Received: h.Received, Delivered: h.Delivered, Dropped: map[sinks.DropReason]uint64{}, Err: errs[h.Name]}
		if h.Spool != nil {
			sr.Spooled = uint64(max(h.Buffered, 0))
		}
		for _, reason := range sinks.DropReasons() {
			if n := h.Dropped[reason.String()]; n > 0 {
				sr.Dropped[reason] = n
			}
		}
		if sr.Err != nil {
			all = append(all, sr.Err)
		}
		report.Sinks = append(report.Sinks, sr)
	}
	if err := errs["router"]; err != nil {
		all = append(all, err)
	}
	return report, errors.Join(all...)
}

func (e *Engine) health() []sinks.Health { return e.Health() }
