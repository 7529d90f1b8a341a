package rabbitmqsink

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// appID is the AMQP app-id of every message.
const appID = "streamll-go"

// batchState is the bookkeeping of one Write, reused across Writes.
type batchState struct {
	batch     []*events.Event
	confirms  []*amqp.DeferredConfirmation // nil: not published, or no confirms
	errs      []error                      // nil: delivered (once settled)
	returned  []bool
	published int // events 0..published-1 were handed to the broker
	flushed   int // events 0..flushed-1 were written to the socket (known without confirms)
	settled   int // confirms 0..settled-1 are known to be in
	retCursor int // returns arrive in publish order: the next index to match
	returns   int // messages returned in this Write
}

func (b *batchState) reset(batch []*events.Event) {
	n := len(batch)
	b.batch = batch
	b.confirms = resize(b.confirms, n)
	b.errs = resize(b.errs, n)
	b.returned = resize(b.returned, n)
	b.published, b.flushed, b.settled, b.retCursor, b.returns = 0, 0, 0, 0, 0
}

// release forgets the batch's events and confirms, which Write must not
// retain.
func (b *batchState) release() {
	clear(b.confirms)
	b.reset(nil)
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

// publish publishes batch on ss, at most ConfirmWindow unconfirmed at a
// time, then settles every confirm and reports what was not delivered.
func (s *Sink) publish(ctx context.Context, ss *session, batch []*events.Event) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// A publish blocks if the broker stops reading (a resource alarm not yet
	// announced, a frozen network); closing the socket is what unblocks it.
	defer context.AfterFunc(ctx, ss.killIfBusy)()

	b := &s.batch
	b.reset(batch)
	defer b.release()
	discardReturns(ss.returns) // left by an earlier Write that gave up
	blocked := ss.blockedSignal()
	var stopped error // why the events from b.published on were not published
	ss.cork(ctx)
	for i, ev := range batch {
		if ss.blocked.Load() {
			stopped = ErrBlocked
			break
		}
		if i-b.settled >= s.cfg.ConfirmWindow {
			if stopped = ss.send(ctx, false); stopped != nil {
				break
			}
			b.flushed = b.published
		}
		for i-b.settled >= s.cfg.ConfirmWindow {
			if stopped = s.await(ctx, ss, blocked, b.settled); stopped != nil {
				break
			}
			b.settled++
		}
		if stopped != nil {
			break
		}
		if stopped = s.publishOne(ctx, ss, i, ev); stopped != nil {
			break
		}
	}
	if err := ss.send(ctx, true); err != nil {
		if stopped == nil {
			stopped = err
		}
	} else {
		b.flushed = b.published
	}
	if stopped == nil {
		for ; b.settled < b.published; b.settled++ {
			if reason := s.await(ctx, ss, blocked, b.settled); reason != nil {
				stopped = reason
				break
			}
		}
	}
	return s.settle(ss, stopped)
}

// publishOne publishes batch[i] and records its pending confirm.
func (s *Sink) publishOne(ctx context.Context, ss *session, i int, ev *events.Event) error {
	b := &s.batch
	s.body = events.AppendJSON(s.body[:0], ev)
	if len(s.body) > s.cfg.MaxMessageBytes {
		b.errs[i] = sinks.Permanent(fmt.Errorf("rabbitmqsink: event %s is %d bytes encoded, over MaxMessageBytes %d", ev.EventID, len(s.body), s.cfg.MaxMessageBytes))
		b.published++
		return nil
	}
	ts := ev.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	s.headers["event_type"] = string(ev.EventType)
	s.headers["operation"] = ev.Operation
	s.headers["module_name"] = ev.ModuleName
	s.headers["method_name"] = ev.MethodName
	s.headers["execution_id"] = ev.ExecutionID
	s.headers["schema_version"] = events.SchemaVersion
	msg := amqp.Publishing{
		Headers:      s.headers,
		ContentType:  "application/json",
		DeliveryMode: amqp.Persistent,
		MessageId:    ev.EventID,
		Timestamp:    ts,
		Type:         string(ev.EventType),
		AppId:        appID,
		Body:         s.body,
	}
	if s.cfg.Transient {
		msg.DeliveryMode = amqp.Transient
	}
	ss.inIO.Store(true)
	dc, err := ss.ch.PublishWithDeferredConfirmWithContext(ctx, s.exchange, s.key.render(ev), s.cfg.Mandatory, false, msg)
	ss.inIO.Store(false)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrUnconfirmed, ctx.Err())
		}
		// A failed publish leaves the channel in an unknown state: the
		// session is dropped after this Write.
		err = fmt.Errorf("%w: publish: %w", ErrConnectionLost, redactedError{err})
		ss.lost.CompareAndSwap(nil, &err)
		return err
	}
	b.confirms[i] = dc
	b.published++
	return nil
}

// await waits until the confirm of batch[k] is in, reading returns
// meanwhile. It returns why it stopped early: the context ended or the broker
// blocked the connection.
func (s *Sink) await(ctx context.Context, ss *session, blocked <-chan struct{}, k int) error {
	dc := s.batch.confirms[k]
	if dc == nil {
		return nil
	}
	for {
		select {
		case <-dc.Done():
			return nil
		case r := <-ss.returns:
			s.noteReturn(r)
		case <-blocked:
			return ErrBlocked
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", ErrUnconfirmed, ctx.Err())
		}
	}
}

// settle decides the fate of every event and builds Write's result.
// Published events count as delivered if the broker acked them and did not
// return them; the others carry stopped, the reason publishing stopped.
func (s *Sink) settle(ss *session, stopped error) error {
	b := &s.batch
	unconfirmed := stopped
	if unconfirmed == nil {
		unconfirmed = ErrUnconfirmed
	}
	// First see which confirms are in, then read the returns: the broker
	// sends a return before its confirm, so every return of a confirmed
	// message is already queued.
	for k := range b.published {
		dc := b.confirms[k]
		switch {
		case dc == nil:
			// not published (too large), or published without confirms
		case !isDone(dc):
			b.errs[k] = unconfirmed
		case !dc.Acked():
			if lost := ss.lostErr(); lost != nil {
				b.errs[k] = lost
			} else {
				b.errs[k] = ErrNacked
			}
		}
	}
	for drained := false; !drained; {
		select {
		case r := <-ss.returns:
			s.noteReturn(r)
		default:
			drained = true
		}
	}
	if b.returns > 0 {
		s.log.Warn("rabbitmqsink: broker returned unroutable events; they are dropped", "count", b.returns, "exchange", s.cfg.Exchange)
	}
	for k := range b.published {
		if b.returned[k] && b.errs[k] == nil {
			b.errs[k] = sinks.Permanent(fmt.Errorf("%w: event %s", ErrReturned, b.batch[k].EventID))
		}
	}
	if s.cfg.NoConfirms && stopped != nil {
		// Without confirms nothing says what reached the broker: whatever
		// was published after the last write known to succeed may still
		// have been in the corked buffer when the connection failed.
		for k := b.flushed; k < b.published; k++ {
			if b.errs[k] == nil {
				b.errs[k] = stopped
			}
		}
	}
	for k := b.published; k < len(b.batch); k++ {
		b.errs[k] = stopped
	}
	return b.result()
}

// noteReturn marks the event a basic.return is about. Returns come in
// publish order, so the match is searched from the last one on; a return
// that matches nothing belongs to an earlier Write and is ignored.
func (s *Sink) noteReturn(r amqp.Return) {
	b := &s.batch
	for k := b.retCursor; k < b.published; k++ {
		if b.batch[k].EventID == r.MessageId {
			b.returned[k] = true
			b.retCursor = k + 1
			b.returns++
			return
		}
	}
}

// result turns b.errs into Write's error: nil when all were delivered, the
// cause alone when none was and retrying may help, a *sinks.BatchError
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

func isDone(dc *amqp.DeferredConfirmation) bool {
	select {
	case <-dc.Done():
		return true
	default:
		return false
	}
}

// discardReturns empties c without blocking.
func discardReturns(c chan amqp.Return) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}
