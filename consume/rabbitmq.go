package consume

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
)

// Defaults of RabbitMQConfig.
const (
	DefaultRabbitMQURL    = "amqp://guest:guest@localhost:5672/"
	DefaultBindingKey     = "#"
	DefaultExchangeKind   = "topic"
	DefaultConnectionName = "streamll-consume"
	dialTimeout           = 5 * time.Second
)

// RabbitMQConfig configures a consumer of a RabbitMQ queue. Exchange, Queue
// or both must be set:
//
//   - Exchange alone: a private queue (server-named, exclusive, deleted
//     when the consumer closes) is bound to the exchange with BindingKey.
//     The consumer sees a copy of what is published from then on, as
//     `tail -f` does, and takes nothing from other consumers.
//   - Exchange and Queue: the queue is declared durable if missing and
//     bound to the exchange (declare-and-bind, as the seed's audit consumer
//     does). The consumer shares it with every other consumer of that queue.
//   - Queue alone: an existing queue, which must exist.
//
// An exchange that does not exist is declared as rabbitmqsink declares it
// (durable, ExchangeKind), so that consumer and producer may start in either
// order; an existing one is used as it is.
type RabbitMQConfig struct {
	// Options are the settings every consumer shares. Options.Batch is
	// also the prefetch (basic.qos): the most unacknowledged messages the
	// broker sends ahead.
	Options
	// URL locates the broker. Default amqp://guest:guest@localhost:5672/.
	URL string
	// Exchange to bind to. Default "": none (Queue must exist).
	Exchange string
	// ExchangeKind is the kind Exchange is declared with when it does not
	// exist. Default topic.
	ExchangeKind string
	// BindingKey binds the queue to Exchange. Default "#": everything, on a
	// topic exchange.
	BindingKey string
	// Queue is the queue to consume. Default "": a private queue (needs
	// Exchange).
	Queue string
	// ConnectionName is the connection_name the broker shows. Default
	// streamll-consume.
	ConnectionName string
}

type rabbitReader struct {
	cfg        RabbitMQConfig
	name       string
	conn       *amqp.Connection
	ch         *amqp.Channel
	deliveries <-chan amqp.Delivery
	closed     <-chan *amqp.Error
	closeOnce  sync.Once
}

// NewRabbitMQ connects, declares and binds as RabbitMQConfig says, and starts
// consuming: what reaches the queue after NewRabbitMQ returns is read.
// Errors wrap ErrInvalidConfig or ErrConnect and show no password.
func NewRabbitMQ(ctx context.Context, cfg RabbitMQConfig) (*Consumer, error) {
	cfg.Options = cfg.Options.withDefaults()
	if cfg.URL == "" {
		cfg.URL = DefaultRabbitMQURL
	}
	if cfg.ExchangeKind == "" {
		cfg.ExchangeKind = DefaultExchangeKind
	}
	if cfg.BindingKey == "" {
		cfg.BindingKey = DefaultBindingKey
	}
	if cfg.ConnectionName == "" {
		cfg.ConnectionName = DefaultConnectionName
	}
	if cfg.Exchange == "amq.default" {
		cfg.Exchange = ""
	}
	if cfg.Exchange == "" && cfg.Queue == "" {
		return nil, fmt.Errorf("%w: RabbitMQ needs an exchange to bind to or a queue to consume (exchange=NAME or queue=NAME)", ErrInvalidConfig)
	}
	if p := parseFrom(cfg.From); p == startAt {
		return nil, fmt.Errorf("%w: From %q: a RabbitMQ queue delivers what it holds; want now or beginning", ErrInvalidConfig, cfg.From)
	}
	r := &rabbitReader{cfg: cfg}
	r.name = "rabbitmq "
	switch {
	case cfg.Queue == "":
		r.name += "exchange " + cfg.Exchange + " (private queue, " + cfg.BindingKey + ")"
	case cfg.Exchange == "":
		r.name += "queue " + cfg.Queue
	default:
		r.name += "queue " + cfg.Queue + " on exchange " + cfg.Exchange
	}
	r.name += " on " + redactedHost(cfg.URL)
	if err := r.connect(ctx); err != nil {
		_ = r.close()
		return nil, err
	}
	return newConsumer(r, cfg.Options), nil
}

func (r *rabbitReader) connect(context.Context) error {
	conn, err := amqp.DialConfig(r.cfg.URL, amqp.Config{
		Properties: amqp.Table{"connection_name": r.cfg.ConnectionName},
		Dial:       amqp.DefaultDial(dialTimeout),
	})
	if err != nil {
		return fmt.Errorf("%w: %s: %s", ErrConnect, r, scrub(r.cfg.URL, err))
	}
	r.conn = conn
	if r.cfg.Exchange != "" {
		if err := r.ensureExchange(); err != nil {
			return err
		}
	}
	ch, err := conn.Channel()
	if err != nil {
		return fmt.Errorf("%w: %s: opening a channel: %w", ErrConnect, r, err)
	}
	r.ch = ch
	queue := r.cfg.Queue
	switch {
	case queue == "":
		q, err := ch.QueueDeclare("", false, true, true, false, nil)
		if err != nil {
			return fmt.Errorf("%w: %s: declaring a private queue: %w", ErrConnect, r, err)
		}
		queue = q.Name
	case r.cfg.Exchange == "":
		if _, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil); err != nil {
			return fmt.Errorf("%w: %s: the queue does not exist (give exchange=NAME to declare and bind it): %w", ErrConnect, r, err)
		}
	default:
		if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
			return fmt.Errorf("%w: %s: declaring the queue: %w", ErrConnect, r, err)
		}
	}
	if r.cfg.Exchange != "" {
		if err := ch.QueueBind(queue, r.cfg.BindingKey, r.cfg.Exchange, false, nil); err != nil {
			return fmt.Errorf("%w: %s: binding the queue: %w", ErrConnect, r, err)
		}
	}
	if err := ch.Qos(r.cfg.Batch, 0, false); err != nil {
		return fmt.Errorf("%w: %s: basic.qos: %w", ErrConnect, r, err)
	}
	r.closed = ch.NotifyClose(make(chan *amqp.Error, 1))
	d, err := ch.Consume(queue, "", false, r.cfg.Queue == "", false, false, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: basic.consume: %w", ErrConnect, r, err)
	}
	r.deliveries = d
	return nil
}

// ensureExchange uses the exchange if it exists, else declares it as
// rabbitmqsink does. A passive declaration of a missing exchange closes its
// channel, so it gets a channel of its own.
func (r *rabbitReader) ensureExchange() error {
	ch, err := r.conn.Channel()
	if err != nil {
		return fmt.Errorf("%w: %s: opening a channel: %w", ErrConnect, r, err)
	}
	err = ch.ExchangeDeclarePassive(r.cfg.Exchange, r.cfg.ExchangeKind, true, false, false, false, nil)
	if err == nil {
		return ch.Close()
	}
	var ae *amqp.Error
	if !errors.As(err, &ae) || ae.Code != amqp.NotFound {
		return fmt.Errorf("%w: %s: checking the exchange: %w", ErrConnect, r, err)
	}
	if strings.HasPrefix(r.cfg.Exchange, "amq.") {
		return fmt.Errorf("%w: %s: the exchange does not exist", ErrConnect, r)
	}
	if ch, err = r.conn.Channel(); err != nil {
		return fmt.Errorf("%w: %s: opening a channel: %w", ErrConnect, r, err)
	}
	defer ch.Close()
	if err := ch.ExchangeDeclare(r.cfg.Exchange, r.cfg.ExchangeKind, true, false, false, false, nil); err != nil {
		return fmt.Errorf("%w: %s: declaring the exchange: %w", ErrConnect, r, err)
	}
	return nil
}

func (r *rabbitReader) fetch(ctx context.Context, max int) ([]delivery, error) {
	var ds []delivery
	select {
	case <-ctx.Done():
		return nil, nil
	case d, ok := <-r.deliveries:
		if !ok {
			return nil, r.gone()
		}
		ds = append(ds, r.delivery(d))
	}
	for len(ds) < max {
		select {
		case d, ok := <-r.deliveries:
			if !ok {
				return ds, nil // the next fetch reports why
			}
			ds = append(ds, r.delivery(d))
		default:
			return ds, nil
		}
	}
	return ds, nil
}

func (r *rabbitReader) delivery(d amqp.Delivery) delivery {
	id := d.MessageId
	if id == "" {
		id = fmt.Sprint(d.DeliveryTag)
	}
	return delivery{raw: d.Body, source: d.RoutingKey, id: id, redelivered: d.Redelivered, tag: d.DeliveryTag}
}

// gone explains why deliveries stopped: the channel or connection closed
// (with the broker's reason), or the broker cancelled the consumer, as it
// does when the queue is deleted.
func (r *rabbitReader) gone() error {
	select {
	case reason, ok := <-r.closed:
		if ok && reason != nil {
			return fmt.Errorf("%w: %s: %s", ErrSourceLost, r, scrub(r.cfg.URL, reason))
		}
		return fmt.Errorf("%w: %s: the channel closed", ErrSourceLost, r)
	default:
		return fmt.Errorf("%w: %s: the broker cancelled the consumer (was the queue deleted?)", ErrSourceLost, r)
	}
}

func (r *rabbitReader) ack(_ context.Context, handled []delivery) error {
	if len(handled) == 0 {
		return nil
	}
	// Deliveries are handled in order, so one multiple ack of the last
	// settles every one before it (invalid ones were rejected already).
	last := handled[len(handled)-1].tag.(uint64)
	if err := r.ch.Ack(last, true); err != nil {
		return fmt.Errorf("%w: %s: basic.ack: %w", ErrSourceLost, r, err)
	}
	return nil
}

func (r *rabbitReader) discard(_ context.Context, d delivery) error {
	return r.ch.Reject(d.tag.(uint64), false)
}

// release leaves unhandled deliveries unacknowledged; the broker requeues
// them when the channel closes.
func (r *rabbitReader) release([]delivery) {}

func (r *rabbitReader) close() error {
	var err error
	r.closeOnce.Do(func() {
		if r.conn != nil {
			err = r.conn.Close()
			if errors.Is(err, amqp.ErrClosed) {
				err = nil
			}
		}
	})
	return err
}

func (r *rabbitReader) String() string { return r.name }
