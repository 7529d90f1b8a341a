package consume

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/events"
)

// Errors every consumer may return. Each error a constructor or Run returns
// wraps one of them, or is the handler's own error.
var (
	// ErrInvalidConfig is wrapped by constructor errors about the
	// configuration, such as an unknown From or a malformed URL.
	ErrInvalidConfig = errors.New("consume: invalid configuration")
	// ErrConnect is wrapped by errors reaching or setting up the source: the
	// server is unreachable, the stream or queue does not exist, a
	// declaration was refused.
	ErrConnect = errors.New("consume: cannot reach the source")
	// ErrSourceLost is wrapped by Run's error when the source stops answering
	// or closes the connection while reading.
	ErrSourceLost = errors.New("consume: source lost")
	// ErrClosed is wrapped by Run's error once Close was called.
	ErrClosed = errors.New("consume: consumer closed")
	// ErrStop is returned by a handler to stop Run after the message it was
	// given, which counts as handled (and is acknowledged). Run then returns
	// nil.
	ErrStop = errors.New("consume: stop")
)

// Start positions accepted by Options.From, besides a source's own
// positions (a Redis entry ID, a NATS stream sequence number).
const (
	// FromNow reads only what is added after the consumer is created. The
	// default. "$" means the same.
	FromNow = "now"
	// FromBeginning reads everything the source still holds. "0" means the
	// same.
	FromBeginning = "beginning"
)

// Defaults of Options.
const (
	DefaultBatch = 256
	DefaultWait  = time.Second
)

// Options are the settings every consumer shares. The zero value is valid.
type Options struct {
	// From says where reading starts: FromNow (default), FromBeginning, or
	// a source's own position (see each Config). With a Redis consumer
	// group or a NATS durable consumer it applies only when the group or
	// consumer is created; an existing one goes on from where it is.
	// RabbitMQ queues deliver what they hold and accept only FromNow and
	// FromBeginning, which both mean that.
	From string
	// Batch is the most messages read from the source at once. A consumer
	// holds at most two batches: the one being handled and, when the source
	// has more waiting, the next one, read ahead. Default 256.
	Batch int
	// Wait is how long one read of a Redis stream or a NATS consumer waits
	// for new messages (XREAD BLOCK, a fetch's expiry), and so at most how
	// long Close or the end of Run's context takes to be noticed there.
	// RabbitMQ delivers as messages come and notices both at once.
	// Default 1s.
	Wait time.Duration
	// OnInvalid is called, on the Run goroutine, for each message that is not
	// a wire-format event (bad JSON, no event_type, ...). The message is then
	// settled so that it is not delivered again: acknowledged on Redis and
	// NATS (terminated), rejected without requeue on RabbitMQ (so a queue's
	// dead-letter exchange gets it). Default nil: it is logged at warning
	// level and counted in Stats.Invalid.
	OnInvalid func(Invalid)
	// Logger receives warnings about invalid messages and failed
	// acknowledgements. Default nil: silent.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Wait <= 0 {
		o.Wait = DefaultWait
	}
	return o
}

// Invalid describes a message that could not be decoded as an event.
type Invalid struct {
	// Source and ID locate it, as in Message.
	Source, ID string
	// Raw is the message body (or Redis field value), nil if there was none.
	Raw []byte
	// Err says what was wrong; it wraps events.ErrInvalidEvent, or says
	// that a Redis entry had no event field.
	Err error
}

// Message is one event as a consumer read it.
type Message struct {
	// Event is the decoded event.
	Event events.Event
	// Raw is the event's JSON exactly as it was read. It belongs to the
	// Message: the consumer does not reuse it.
	Raw []byte
	// Source is where the message came from: the Redis stream key, the
	// RabbitMQ routing key, or the NATS subject.
	Source string
	// ID locates the message in its source: the Redis entry ID, the AMQP
	// message_id (the event_id, as rabbitmqsink sets it), or the NATS stream
	// sequence number.
	ID string
	// Redelivered is true when the source says the message was delivered
	// before without being acknowledged: a Redis pending entry read again
	// or claimed, an AMQP redelivery, a NATS delivery count above one.
	Redelivered bool
}

// Stats counts what a consumer read. Counters only grow.
type Stats struct {
	// Received counts messages read from the source, invalid ones included.
	Received uint64
	// Handled counts messages the handler accepted (returned nil or ErrStop).
	Handled uint64
	// Invalid counts messages that were not wire-format events.
	Invalid uint64
	// Redelivered counts messages read that had been delivered before.
	Redelivered uint64
}

// delivery is one message as a reader fetched it, before decoding.
type delivery struct {
	raw         []byte
	missing     error // the entry held no event at all (set instead of raw)
	source, id  string
	redelivered bool
	tag         any // what the reader needs to settle it
}

// reader is one kind of source. Its methods are called from one goroutine
// at a time, except close.
type reader interface {
	// fetch waits for messages, up to max, and returns them in source order.
	// It returns no messages and no error when nothing arrived within the
	// source's wait, or when ctx ended.
	fetch(ctx context.Context, max int) ([]delivery, error)
	// ack settles handled messages, in the order fetch returned them.
	ack(ctx context.Context, handled []delivery) error
	// discard settles one invalid message so that it is not read again.
	discard(ctx context.Context, d delivery) error
	// release gives back messages fetched but never handled (Close came
	// before another Run), where the source would otherwise hold them for a
	// while; the others leave them pending.
	release(unhandled []delivery)
	// close releases what the reader opened.
	close() error
	// String names the source for errors and logs, without credentials.
	String() string
}

// Consumer reads wire-format events from one source. Create one with
// NewRedis, NewRabbitMQ, NewNATS or Open. Run, RunBatch and Messages read
// from the source and must not be called concurrently; Stats, String and
// Close may be called from any goroutine.
type Consumer struct {
	r    reader
	opts Options

	received, handled, invalid, redelivered atomic.Uint64

	running sync.Mutex
	// leftMsgs are messages read but not handled when Run stopped, and
	// leftValid their deliveries: the next Run starts with them, Close
	// gives them back to the source.
	leftMu    sync.Mutex
	leftMsgs  []Message
	leftValid []delivery
	// lastHandled is the ID of the last message the handler took.
	lastHandled string

	closeOnce sync.Once
	closeErr  error
	closed    atomic.Bool
}

func newConsumer(r reader, opts Options) *Consumer {
	return &Consumer{r: r, opts: opts}
}

// String names the source, such as "redis stream ai_events on
// localhost:6379"; it never shows a password.
func (c *Consumer) String() string { return c.r.String() }

// Position says where reading would go on from, as Options.From takes it,
// so that a consumer made again after a failure misses nothing and repeats
// nothing handled: for a plain Redis XREAD, the ID of the last entry handled
// (or, before any, the one reading started after); for NATS, the stream
// sequence after the last message handled.
// It is "" where the source keeps the position itself (Redis consumer
// groups, durable NATS consumers, RabbitMQ queues) or before a NATS
// consumer read anything. Call it when no Run is in progress.
func (c *Consumer) Position() string {
	p, ok := c.r.(resumer)
	if !ok {
		return ""
	}
	c.leftMu.Lock()
	last := c.lastHandled
	c.leftMu.Unlock()
	return p.resumeAfter(last)
}

// resumer is a reader that can say where a new consumer should start to go
// on after the message with ID last ("": none was handled yet).
type resumer interface {
	resumeAfter(last string) string
}

// Stats returns the counters so far.
func (c *Consumer) Stats() Stats {
	return Stats{
		Received:    c.received.Load(),
		Handled:     c.handled.Load(),
		Invalid:     c.invalid.Load(),
		Redelivered: c.redelivered.Load(),
	}
}

// Run reads messages and calls handle for each, in source order, on the
// calling goroutine, until ctx ends (Run returns nil), handle returns ErrStop
// (Run returns nil) or another error (Run returns it), or the source fails
// (an error wrapping ErrSourceLost) or Close is called (ErrClosed).
//
// A message is acknowledged only after handle returned nil or ErrStop for
// it, so a consumer that crashes or stops on an error leaves it to be
// delivered again (at-least-once; de-duplicate on Event.EventID). The ctx
// handle gets is Run's.
func (c *Consumer) Run(ctx context.Context, handle func(context.Context, Message) error) error {
	return c.RunBatch(ctx, func(ctx context.Context, batch []Message) (int, error) {
		for i, m := range batch {
			if err := handle(ctx, m); err != nil {
				if errors.Is(err, ErrStop) {
					return i + 1, err
				}
				return i, err
			}
		}
		return len(batch), nil
	})
}

// RunBatch is Run for handlers that work on many messages at once (one
// write, one transaction): handle gets the valid messages of one read, at
// most Options.Batch, and returns how many of them it handled. Those are
// acknowledged; if that is fewer than all, it must also return an error,
// which stops RunBatch as in Run (ErrStop included).
func (c *Consumer) RunBatch(ctx context.Context, handle func(context.Context, []Message) (int, error)) error {
	if !c.running.TryLock() {
		return errors.New("consume: Run, RunBatch or Messages called while another is running")
	}
	defer c.running.Unlock()
	// When a read comes back full, more is waiting: the next read goes out
	// at once, in the background, while this batch is decoded and handled.
	// At most one read is ahead; what it brought and what the handler did
	// not take are kept for the next Run (and given back by Close).
	var ahead chan fetched
	defer func() {
		if ahead != nil {
			f := <-ahead
			msgs, valid := c.decode(context.WithoutCancel(ctx), f.ds)
			c.keep(msgs, valid)
		}
	}()
	for {
		if c.closed.Load() {
			return fmt.Errorf("%s: %w", c.r, ErrClosed)
		}
		if ctx.Err() != nil {
			return nil
		}
		msgs, valid := c.takeLeftover()
		if len(msgs) == 0 {
			var ds []delivery
			var err error
			if ahead != nil {
				f := <-ahead
				ahead, ds, err = nil, f.ds, f.err
			} else {
				ds, err = c.r.fetch(ctx, c.opts.Batch)
			}
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				if c.closed.Load() {
					return fmt.Errorf("%s: %w", c.r, ErrClosed)
				}
				return err
			}
			if len(ds) == 0 {
				continue
			}
			if len(ds) >= c.opts.Batch {
				ahead = make(chan fetched, 1)
				go func(ahead chan<- fetched) {
					ds, err := c.r.fetch(ctx, c.opts.Batch)
					ahead <- fetched{ds, err}
				}(ahead)
			}
			msgs, valid = c.decode(ctx, ds)
			if len(msgs) == 0 {
				continue
			}
		}
		n, herr := handle(ctx, msgs)
		n = max(0, min(n, len(msgs)))
		c.handled.Add(uint64(n))
		if n > 0 {
			c.leftMu.Lock()
			c.lastHandled = msgs[n-1].ID
			c.leftMu.Unlock()
		}
		if n > 0 {
			if err := c.r.ack(ctx, valid[:n]); err != nil {
				c.warn("acknowledging failed", "err", err)
				if herr == nil {
					return err
				}
			}
		}
		if n < len(msgs) {
			c.keep(msgs[n:], valid[n:])
		}
		switch {
		case errors.Is(herr, ErrStop):
			return nil
		case herr != nil:
			return herr
		case n < len(msgs):
			return fmt.Errorf("consume: the handler handled %d of %d messages without saying why", n, len(msgs))
		}
	}
}

// fetched is what a read ahead brought.
type fetched struct {
	ds  []delivery
	err error
}

// keep holds messages read but not handled, for the next Run.
func (c *Consumer) keep(msgs []Message, valid []delivery) {
	c.leftMu.Lock()
	defer c.leftMu.Unlock()
	c.leftMsgs = append(c.leftMsgs, msgs...)
	c.leftValid = append(c.leftValid, valid...)
}

func (c *Consumer) takeLeftover() ([]Message, []delivery) {
	c.leftMu.Lock()
	defer c.leftMu.Unlock()
	msgs, valid := c.leftMsgs, c.leftValid
	c.leftMsgs, c.leftValid = nil, nil
	return msgs, valid
}

// decode turns deliveries into messages, settling and reporting invalid
// ones. valid[i] is the delivery of msgs[i].
func (c *Consumer) decode(ctx context.Context, ds []delivery) (msgs []Message, valid []delivery) {
	evs, errs := unmarshalAll(ds)
	msgs = make([]Message, 0, len(ds))
	valid = ds[:0:0]
	for i, d := range ds {
		c.received.Add(1)
		if d.redelivered {
			c.redelivered.Add(1)
		}
		if err := errs[i]; err != nil {
			c.invalid.Add(1)
			inv := Invalid{Source: d.source, ID: d.id, Raw: d.raw, Err: err}
			if c.opts.OnInvalid != nil {
				c.opts.OnInvalid(inv)
			} else {
				c.warn("skipping a message that is not a streamll event", "source", d.source, "id", d.id, "err", err)
			}
			if err := c.r.discard(ctx, d); err != nil {
				c.warn("settling an invalid message failed", "id", d.id, "err", err)
			}
			continue
		}
		msgs = append(msgs, Message{Event: evs[i], Raw: d.raw, Source: d.source, ID: d.id, Redelivered: d.redelivered})
		valid = append(valid, d)
	}
	return msgs, valid
}

// decodeShare is how many messages make it worth decoding on another
// goroutine: decoding is most of a consumer's work.
const decodeShare = 256

// unmarshalAll decodes every delivery, spread over the processors for a
// large batch, and returns the events and errors by index.
func unmarshalAll(ds []delivery) ([]events.Event, []error) {
	evs := make([]events.Event, len(ds))
	errs := make([]error, len(ds))
	one := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if errs[i] = ds[i].missing; errs[i] == nil {
				evs[i], errs[i] = events.Unmarshal(ds[i].raw)
			}
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(ds)/decodeShare)
	if workers <= 1 {
		one(0, len(ds))
		return evs, errs
	}
	var wg sync.WaitGroup
	per := (len(ds) + workers - 1) / workers
	for lo := 0; lo < len(ds); lo += per {
		wg.Go(func() { one(lo, min(lo+per, len(ds))) })
	}
	wg.Wait()
	return evs, errs
}

// Messages returns an iterator over the messages, for a range loop:
//
//	for m, err := range c.Messages(ctx) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(m.Event.EventType)
//	}
//
// A message is acknowledged when the loop body has returned for it and asks
// for the next one; the message a loop breaks on is not acknowledged. The
// iterator ends when ctx ends; a failure of the source is yielded once, as
// the error of a zero Message, and ends it.
func (c *Consumer) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		err := c.Run(ctx, func(_ context.Context, m Message) error {
			if !yield(m, nil) {
				return errBreak
			}
			return nil
		})
		if err != nil && !errors.Is(err, errBreak) {
			yield(Message{}, err)
		}
	}
}

// errBreak stops Run when a range loop over Messages breaks.
var errBreak = errors.New("consume: loop ended")

// Close releases the consumer's connections (but not a client the caller
// supplied). A Run in progress returns an error wrapping ErrClosed, within
// the source's wait. Close is idempotent.
func (c *Consumer) Close() error {
	c.closeOnce.Do(func() {
		c.closed.Store(true)
		if _, valid := c.takeLeftover(); len(valid) > 0 {
			c.r.release(valid)
		}
		c.closeErr = c.r.close()
	})
	return c.closeErr
}

func (c *Consumer) warn(msg string, args ...any) {
	if c.opts.Logger != nil {
		c.opts.Logger.Warn("consume: "+msg, append(args, "source", c.r.String())...)
	}
}

// startPosition classifies Options.From.
type startPosition int

const (
	startNow startPosition = iota
	startBeginning
	startAt
)

func parseFrom(from string) startPosition {
	switch from {
	case "", FromNow, "$":
		return startNow
	case FromBeginning, "0", "0-0":
		return startBeginning
	}
	return startAt
}

// waitOrDone sleeps for d or until ctx ends.
func waitOrDone(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
