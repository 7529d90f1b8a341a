package natssink

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// The headers of every message besides Nats-Msg-Id, as on RabbitMQ.
const (
	headerContentType = "Content-Type"
	contentType       = "application/json"
	headerEventType   = "event_type"
	headerOperation   = "operation"
	headerModule      = "module_name"
	headerMethod      = "method_name"
	headerExecution   = "execution_id"
	headerSchema      = "schema_version"
)

// noRetry turns off nats.go's own republishing of a message that found no
// responder: it republishes from a timer of its own, so two messages could
// swap places. The host retries instead, in order.
var noRetry = jetstream.WithRetryAttempts(0)

// batchState is the bookkeeping of one Write, reused across Writes. The
// messages, their headers and the encoding buffer are reused too: once a
// Write returns, every future it made is resolved or dropped with
// CleanupPublisher, so nats.go holds none of them.
type batchState struct {
	batch   []*events.Event
	futures []jetstream.PubAckFuture // nil: not published
	errs    []error                  // nil: stored (once settled)
	msgs    []nats.Msg
	ends    []int  // msgs[i].Data is buf[ends[i-1]:ends[i]]
	buf     []byte // the encodings of the batch, one after another
	next    int    // events 0..next-1 were handled (published or failed)
	settled int    // futures 0..settled-1 are resolved
	acked   int    // how many acks came in
}

func (b *batchState) reset(batch []*events.Event) {
	n := len(batch)
	b.batch = batch
	b.futures = resize(b.futures, n)
	b.errs = resize(b.errs, n)
	if cap(b.msgs) < n {
		b.msgs = append(b.msgs[:cap(b.msgs)], make([]nats.Msg, n-cap(b.msgs))...)
	}
	b.msgs = b.msgs[:n]
	b.next, b.settled, b.acked = 0, 0, 0
}

// maxKeptBuffer bounds the encoding buffer a sink keeps between Writes, so
// that one batch of huge events does not pin its memory for good.
const maxKeptBuffer = 4 << 20

// release forgets the batch's events, futures and bodies, which Write must
// not retain.
func (b *batchState) release() {
	clear(b.futures)
	for i := range b.msgs {
		b.msgs[i].Data = nil
	}
	if cap(b.buf) > maxKeptBuffer {
		b.buf = nil
	}
	b.batch = nil
}

// resize returns s with length n and every element zero.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// publish publishes batch with at most Window acks outstanding (one while
// probing), then settles every ack and reports what was not stored.
//
// The first event that fails for a reason a retry may cure stops the
// publishing: an event published behind it could be stored before the
// retry of the failed one, out of order. Events that fail for good (too
// large, a subject the stream does not bind) are never stored, so the
// events after them go on.
func (s *Sink) publish(ctx context.Context, batch []*events.Event) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b := &s.batch
	b.reset(batch)
	defer b.release()
	s.encode(batch)

	limit := s.cfg.Window
	if s.state.probe {
		limit = 1
	}
	var stopped error // why the events from b.next on were not published
publishing:
	for i := range batch {
		for b.settled < i && (i-b.settled >= limit || ctx.Err() != nil) {
			s.await(ctx, b.settled)
			err := b.errs[b.settled]
			b.settled++
			if err != nil && !sinks.IsPermanent(err) {
				stopped = err
				break publishing
			}
			if err == nil {
				limit = s.cfg.Window // the probe was stored
			}
		}
		if err := ctx.Err(); err != nil {
			stopped = fmt.Errorf("%w: %w", ErrNotAcked, err)
			break
		}
		if err := s.publishOne(i); err != nil {
			stopped = err
			break
		}
		b.next = i + 1
	}
	for ; b.settled < b.next; b.settled++ {
		s.await(ctx, b.settled)
	}
	for k := b.next; k < len(batch); k++ {
		b.errs[k] = stopped
	}
	s.after()
	return b.result()
}

// encode writes the wire format of every event of batch into the shared
// buffer, and sets each message's subject and headers.
func (s *Sink) encode(batch []*events.Event) {
	b := &s.batch
	b.buf = b.buf[:0]
	b.ends = b.ends[:0]
	for i, ev := range batch {
		b.buf = events.AppendJSON(b.buf, ev)
		b.ends = append(b.ends, len(b.buf))
		m := &b.msgs[i]
		m.Subject = s.subject.render(ev)
		if m.Header == nil {
			m.Header = make(nats.Header, 8)
		}
		h := m.Header
		setHeader(h, jetstream.MsgIDHeader, ev.EventID)
		setHeader(h, headerContentType, contentType)
		setHeader(h, headerEventType, string(ev.EventType))
		setHeader(h, headerOperation, ev.Operation)
		setHeader(h, headerModule, ev.ModuleName)
		setHeader(h, headerMethod, ev.MethodName)
		setHeader(h, headerExecution, ev.ExecutionID)
		setHeader(h, headerSchema, events.SchemaVersion)
	}
	start := 0
	for i := range batch {
		b.msgs[i].Data = b.buf[start:b.ends[i]:b.ends[i]]
		start = b.ends[i]
	}
}

// setHeader sets h[key] to the single value v, reusing the value slice.
func setHeader(h nats.Header, key, v string) {
	if vs := h[key]; len(vs) == 1 {
		vs[0] = v
		return
	}
	h[key] = []string{v}
}

// publishOne publishes event i. It returns an error only when publishing
// must stop; an event that can never be stored gets its permanent error in
// b.errs and publishing goes on.
func (s *Sink) publishOne(i int) error {
	b := &s.batch
	m := &b.msgs[i]
	if !s.stream.binds(m.Subject) {
		b.errs[i] = sinks.Permanent(fmt.Errorf("%w: event %s, subject %q, stream %q", ErrSubjectNotBound, b.batch[i].EventID, m.Subject, s.cfg.Stream))
		return nil
	}
	f, err := s.js.PublishMsgAsync(m, noRetry)
	if err != nil {
		err = classify(err)
		if sinks.IsPermanent(err) {
			b.errs[i] = fmt.Errorf("event %s: %w", b.batch[i].EventID, err)
			return nil
		}
		return err
	}
	b.futures[i] = f
	return nil
}

// await waits until the ack of event k is in, or ctx ends, and records the
// outcome in b.errs[k].
func (s *Sink) await(ctx context.Context, k int) {
	b := &s.batch
	f := b.futures[k]
	if f == nil {
		return
	}
	select {
	case <-f.Ok():
		b.acked++
		b.futures[k] = nil
		return
	case err := <-f.Err():
		b.errs[k] = s.failed(k, err)
		b.futures[k] = nil
		return
	case <-ctx.Done():
	}
	// An ack that came in together with the deadline still counts.
	select {
	case <-f.Ok():
		b.acked++
		b.futures[k] = nil
	case err := <-f.Err():
		b.errs[k] = s.failed(k, err)
		b.futures[k] = nil
	default:
		b.errs[k] = fmt.Errorf("%w: %w", ErrNotAcked, ctx.Err())
	}
}

// failed classifies the error of event k's publish.
func (s *Sink) failed(k int, err error) error {
	err = classify(err)
	if sinks.IsPermanent(err) {
		return fmt.Errorf("event %s: %w", s.batch.batch[k].EventID, err)
	}
	return err
}

// after updates what the sink knows of the connection from the Write's
// outcome.
func (s *Sink) after() {
	b := &s.batch
	pending, retryable := false, false
	for k, err := range b.errs {
		switch {
		case err == nil:
		case errors.Is(err, ErrNoResponse):
			s.state.recheck = true
			retryable = true
		case !sinks.IsPermanent(err):
			retryable = true
		}
		if b.futures[k] != nil {
			pending = true
		}
	}
	if pending {
		// Drop the futures still waiting, so that late acks are ignored
		// and the next Write starts with an empty window; and check the
		// connection before trusting it again.
		s.js.CleanupPublisher()
		s.state.suspect = true
	}
	switch {
	case retryable:
		s.state.probe = true
	case b.acked > 0:
		s.state.probe = false
	}
}

// result turns b.errs into Write's error: nil when every event was stored,
// the cause alone when none was and retrying may help, a *sinks.BatchError
// otherwise.
func (b *batchState) result() error {
	var failed []sinks.Failure
	permanent := false
	for k, err := range b.errs {
		if err != nil {
			failed = append(failed, sinks.Failure{Index: k, Err: err})
			permanent = permanent || sinks.IsPermanent(err)
		}
	}
	switch {
	case len(failed) == 0:
		return nil
	case len(failed) == len(b.errs) && !permanent:
		return failed[0].Err
	}
	return &sinks.BatchError{Failed: failed}
}
