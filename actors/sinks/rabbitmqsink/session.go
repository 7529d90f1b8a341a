package rabbitmqsink

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/internal/rawio"
)

// session is one open connection and its publishing channel, with what the
// broker told about them. A lost session is never repaired: the sink drops
// it and dials a new one.
type session struct {
	node    int
	conn    *amqp.Connection
	ch      *amqp.Channel
	tcp     atomic.Pointer[corkedConn] // the socket under TLS and AMQP
	returns chan amqp.Return           // nil unless Mandatory

	blocked    atomic.Bool
	blockedSig atomic.Pointer[chan struct{}] // closed while blocked
	lost       atomic.Pointer[error]         // why the connection or channel closed
	inIO       atomic.Bool                   // a call that may block on the socket is running
	watching   bool                          // the watch goroutine was started
	watchDone  chan struct{}
}

// dial connects to node i, opens a channel in confirm mode and declares the
// topology. It gives up when ctx ends or DialTimeout passes.
func (s *Sink) dial(ctx context.Context, i int) (*session, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.DialTimeout)
	defer cancel()
	ss := &session{node: i, watchDone: make(chan struct{})}
	unblocked := make(chan struct{})
	ss.blockedSig.Store(&unblocked)
	// amqp091-go's handshake and RPCs take no context: closing the socket
	// is how they are made to give up.
	stop := context.AfterFunc(ctx, ss.kill)
	defer stop()

	props := amqp.NewConnectionProperties()
	props.SetClientConnectionName(s.cfg.ConnectionName)
	conn, err := amqp.DialConfig(s.nodes[i].url, amqp.Config{
		Properties: props,
		Dial: func(network, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			// Bound the TLS and AMQP handshakes; amqp091-go clears the
			// deadline once the connection is open.
			deadline, _ := ctx.Deadline()
			if err := c.SetDeadline(deadline); err != nil {
				c.Close()
				return nil, err
			}
			// Raw system calls on the socket (package rawio): a publish
			// after an idle moment then does not wake the Go runtime's
			// monitor thread, which at moderate rates costs more CPU than
			// the publishing itself (docs/benchmarks.md).
			cc := &corkedConn{Conn: rawio.Wrap(c)}
			ss.tcp.Store(cc)
			return cc, nil
		},
	})
	if err != nil {
		ss.kill()
		return nil, s.nodeError(i, "connect", ctx, err)
	}
	ss.conn = conn
	if err := s.open(ss); err != nil {
		conn.Close()
		return nil, s.nodeError(i, "set up", ctx, err)
	}
	if !stop() {
		ss.close(context.Background())
		return nil, s.nodeError(i, "set up", ctx, ctx.Err())
	}
	return ss, nil
}

// open opens the publishing channel, declares what Config asks for and
// starts the goroutine that follows the connection's notifications.
func (s *Sink) open(ss *session) error {
	ch, err := ss.conn.Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	ss.ch = ch
	if !s.cfg.NoConfirms {
		if err := ch.Confirm(false); err != nil {
			return fmt.Errorf("enable publisher confirms: %w", err)
		}
	}
	if err := s.declare(ch); err != nil {
		return err
	}
	if s.cfg.Mandatory {
		// Returns are read by Write itself, so that one seen before its
		// confirm is never missed; the buffer holds what a Write that gave
		// up leaves behind, which the next Write discards.
		ss.returns = ch.NotifyReturn(make(chan amqp.Return, 2*s.cfg.ConfirmWindow))
	}
	connClosed := ss.conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	blocked := ss.conn.NotifyBlocked(make(chan amqp.Blocking, 1))
	ss.watching = true
	go ss.watch(s, connClosed, chClosed, blocked)
	return nil
}

// declare declares the exchange, and the queue and its binding if asked.
func (s *Sink) declare(ch *amqp.Channel) error {
	durable := !s.cfg.Transient
	switch {
	case s.cfg.NoDeclare, s.exchange == "":
	case strings.HasPrefix(s.exchange, "amq."):
		if err := ch.ExchangeDeclarePassive(s.exchange, s.cfg.ExchangeKind, durable, false, false, false, nil); err != nil {
			return fmt.Errorf("check exchange %q: %w", s.exchange, err)
		}
	default:
		if err := ch.ExchangeDeclare(s.exchange, s.cfg.ExchangeKind, durable, false, false, false, nil); err != nil {
			return fmt.Errorf("declare exchange %q: %w", s.exchange, err)
		}
	}
	q := s.cfg.Queue
	if q == nil {
		return nil
	}
	args := amqp.Table{}
	if q.DeadLetterExchange != "" {
		args["x-dead-letter-exchange"] = q.DeadLetterExchange
	}
	if q.MaxLength > 0 {
		args["x-max-length"] = int64(q.MaxLength)
	}
	if _, err := ch.QueueDeclare(q.Name, durable, false, false, false, args); err != nil {
		return fmt.Errorf("declare queue %q: %w", q.Name, err)
	}
	if s.exchange == "" {
		return nil
	}
	if err := ch.QueueBind(q.Name, s.bindingKey, s.exchange, false, nil); err != nil {
		return fmt.Errorf("bind queue %q to exchange %q with %q: %w", q.Name, s.exchange, s.bindingKey, err)
	}
	return nil
}

// nodeError describes a failure to reach node i, naming the node by its
// redacted URL and putting first the context's reason when it ended the
// attempt.
func (s *Sink) nodeError(i int, what string, ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%w)", ctxErr, err)
	}
	return fmt.Errorf("rabbitmqsink: %s %s: %w", what, s.nodes[i].redacted, redactedError{err})
}

// redactedError shows its cause's text without credentials and still
// unwraps to it.
type redactedError struct{ err error }

func (e redactedError) Error() string { return redact(e.err.Error(), nil) }
func (e redactedError) Unwrap() error { return e.err }

// watch follows the connection until it closes: it records connection.blocked
// and unblocked, and why the connection or channel closed. amqp091-go closes
// every listener once the connection is gone, which ends the loop.
func (ss *session) watch(s *Sink, connClosed, chClosed <-chan *amqp.Error, blocked <-chan amqp.Blocking) {
	defer close(ss.watchDone)
	for connClosed != nil {
		select {
		case b, ok := <-blocked:
			if !ok {
				blocked = nil
				continue
			}
			ss.setBlocked(b.Active)
			if b.Active {
				s.log.Warn("rabbitmqsink: broker blocked the connection; events wait in the buffer", "reason", b.Reason)
			} else {
				s.log.Info("rabbitmqsink: broker unblocked the connection")
			}
		case e, ok := <-chClosed:
			if !ok {
				chClosed = nil
			}
			ss.setLost("channel", e)
		case e, ok := <-connClosed:
			if !ok {
				connClosed = nil
			}
			ss.setLost("connection", e)
		}
	}
}

// setBlocked records connection.blocked (active) or connection.unblocked.
// A fresh signal channel is in place before blocked reads false, so that a
// Write that sees the connection unblocked never waits on a stale signal.
func (ss *session) setBlocked(active bool) {
	if active {
		if !ss.blocked.Swap(true) {
			close(*ss.blockedSig.Load())
		}
		return
	}
	if ss.blocked.Load() {
		c := make(chan struct{})
		ss.blockedSig.Store(&c)
		ss.blocked.Store(false)
	}
}

// blockedSignal returns a channel that is closed once the broker blocks the
// connection.
func (ss *session) blockedSignal() <-chan struct{} { return *ss.blockedSig.Load() }

// setLost records the first reason the session died.
func (ss *session) setLost(what string, e *amqp.Error) {
	err := fmt.Errorf("%w: %s closed", ErrConnectionLost, what)
	if e != nil {
		err = fmt.Errorf("%w: %s closed: %s", ErrConnectionLost, what, redact(e.Error(), nil))
	}
	ss.lost.CompareAndSwap(nil, &err)
}

// lostErr returns why the session died, or nil while it is usable.
func (ss *session) lostErr() error {
	if p := ss.lost.Load(); p != nil {
		return *p
	}
	if ss.conn.IsClosed() || ss.ch.IsClosed() {
		return ErrConnectionLost
	}
	return nil
}

// cork starts gathering the Write's messages. It may wait for a heartbeat
// stuck on the socket, so it counts as I/O: ctx's end closes the socket.
func (ss *session) cork(ctx context.Context) {
	ss.inIO.Store(true)
	if ctx.Err() != nil {
		ss.kill()
	}
	ss.tcp.Load().cork()
	ss.inIO.Store(false)
}

// send writes what the current Write gathered on the corked socket; with
// stop it uncorks it. A failed write loses messages amqp091-go counts as
// sent, so it kills the connection, which nacks every pending confirm. If
// ctx has already ended, the context's watcher has run and will not close a
// socket that blocks: send closes it first, so it never waits on it.
func (ss *session) send(ctx context.Context, stop bool) error {
	ss.inIO.Store(true)
	if ctx.Err() != nil {
		ss.kill()
	}
	err := ss.tcp.Load().flush(stop)
	ss.inIO.Store(false)
	if err != nil {
		err = fmt.Errorf("%w: write: %w", ErrConnectionLost, redactedError{err})
		ss.lost.CompareAndSwap(nil, &err)
		ss.kill()
	}
	return err
}

// kill closes the socket, making every pending amqp091-go call fail.
func (ss *session) kill() {
	if c := ss.tcp.Load(); c != nil {
		c.Close()
	}
}

// killIfBusy closes the socket if a call that may block on it is running.
func (ss *session) killIfBusy() {
	if ss.inIO.Load() {
		ss.kill()
	}
}

// close closes the connection, politely if the broker answers before ctx
// ends (within a second when ctx has no deadline), and waits for the watcher
// to stop.
func (ss *session) close(ctx context.Context) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Second)
	}
	if ss.conn != nil && !ss.conn.IsClosed() {
		_ = ss.conn.CloseDeadline(deadline)
	}
	ss.kill()
	if !ss.watching {
		return
	}
	select {
	case <-ss.watchDone:
	case <-ctx.Done():
		// The socket is closed, so amqp091-go is tearing down and the
		// watcher ends at once; wait for it so nothing outlives Close.
		<-ss.watchDone
	}
}
