package rabbitmqsink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/sinklog"
)

// Sink publishes events to a RabbitMQ exchange with publisher confirms. Make
// one with New. The host calls Write and Close from one goroutine at a time.
type Sink struct {
	cfg        Config
	nodes      []node
	key        *routingKey
	exchange   string // the AMQP name: "" for the default exchange
	bindingKey string
	name       string
	log        *sinklog.Logger

	next   int      // the node the next dial tries first
	ss     *session // nil while disconnected
	closed atomic.Bool

	// Reused by every Write; amqp091-go copies a message into its buffered
	// writer before Publish returns, so these are free again after each call.
	body    []byte
	headers amqp.Table
	batch   batchState
}

var _ sinks.Configured = (*Sink)(nil)

// New validates cfg and returns a sink. It does no network I/O: the first
// Write connects. Every configuration error wraps sinks.ErrInvalidConfig,
// and none contains a password.
func New(cfg Config) (*Sink, error) {
	cfg = cfg.withDefaults()
	nodes, nodesErr := parseNodes(cfg.URL, cfg.URLs)
	if err := errors.Join(nodesErr, cfg.validate()); err != nil {
		return nil, err
	}
	key, _ := parseRoutingKey(cfg.RoutingKey) // validate checked it
	s := &Sink{
		cfg:      cfg,
		nodes:    nodes,
		key:      key,
		exchange: cfg.Exchange,
		name:     "rabbitmq:" + cfg.Exchange,
		log:      sinklog.New(cfg.Logger, cmp.Or(cfg.Options.Name, "rabbitmq:"+cfg.Exchange)),
		headers:  amqp.Table{},
	}
	if s.exchange == AMQPDefaultExchange {
		s.exchange = ""
	}
	if cfg.Queue != nil && s.exchange != "" {
		s.bindingKey, _ = cfg.bindingKey(key) // validate checked it
	}
	return s, nil
}

// LogTo logs to l, the bus's logger for this sink, unless Config.Logger is
// set; the host calls it (see sinks.Logging).
func (s *Sink) LogTo(l *slog.Logger) { s.log.LogTo(l) }

// Name returns "rabbitmq:" and the exchange's name, such as
// "rabbitmq:financial_ai_audit".
func (s *Sink) Name() string { return s.name }

// Destination says where the sink publishes: the broker's nodes (without
// credentials) and virtual host, the exchange and the routing key, such as
// "amqp://localhost:5672/ exchange streamll routing key streamll.{event_type}".
// A bus refuses a second sink with the same destination unless Options.Name
// tells them apart.
func (s *Sink) Destination() string {
	urls := make([]string, len(s.nodes))
	for i, n := range s.nodes {
		urls[i] = n.url
	}
	return netaddr.Place(urls...) + " exchange " + s.cfg.Exchange + " routing key " + s.cfg.RoutingKey
}

// HostOptions returns the host options of the Config, BatchSize defaulted
// to ConfirmWindow.
func (s *Sink) HostOptions() sinks.Options { return s.cfg.Options }

// Write publishes batch in order and waits for the broker to confirm it. It
// returns nil when every event was confirmed; a *sinks.BatchError listing the
// events that were not (nacked, unconfirmed in time, lost with the
// connection, not published because the broker blocked the connection, or
// returned unroutable); or a plain error when none was delivered, such as
// when no node could be reached. It connects first if it has no connection.
func (s *Sink) Write(ctx context.Context, batch []*events.Event) error {
	if s.closed.Load() {
		return sinks.ErrClosed
	}
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("rabbitmqsink: %w", err)
	}
	if s.ss != nil {
		if err := s.ss.lostErr(); err != nil {
			s.drop(err)
		}
	}
	if s.ss == nil {
		if err := s.connect(ctx); err != nil {
			return err
		}
	}
	if s.ss.blocked.Load() {
		return ErrBlocked
	}
	err := s.publish(ctx, s.ss, batch)
	if lost := s.ss.lostErr(); lost != nil {
		s.drop(lost)
	}
	return err
}

// Close closes the connection. The sink holds no events of its own (Write
// returns only once its batch is settled), so there is nothing to flush.
// Later Writes fail with sinks.ErrClosed; a second Close returns nil.
func (s *Sink) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.ss != nil {
		s.ss.close(ctx)
		s.ss = nil
	}
	return nil
}

// connect dials the nodes in turn, starting with s.next, until one answers
// or ctx ends. Each node is tried at most once per call: backing off between
// rounds is the host's retry policy.
func (s *Sink) connect(ctx context.Context) error {
	errs := make([]error, 0, len(s.nodes))
	first := s.next
	for k := range len(s.nodes) {
		i := (first + k) % len(s.nodes)
		ss, err := s.dial(ctx, i)
		if err == nil {
			s.ss, s.next = ss, i
			s.log.Info("rabbitmqsink: connected", "node", s.nodes[i].redacted)
			return nil
		}
		s.next = (i + 1) % len(s.nodes)
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return errs[0]
	}
	return fmt.Errorf("rabbitmqsink: no node reachable: %w", errors.Join(errs...))
}

// drop forgets the current session after it failed; the next Write dials
// again, starting with the node after the one that failed.
func (s *Sink) drop(reason error) {
	ss := s.ss
	s.ss = nil
	s.next = (ss.node + 1) % len(s.nodes)
	s.log.Warn("rabbitmqsink: connection lost; the next write reconnects", "node", s.nodes[ss.node].redacted, "error", reason)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	ss.close(ctx)
}
