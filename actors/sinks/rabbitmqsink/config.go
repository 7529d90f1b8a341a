package rabbitmqsink

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Defaults for Config.
const (
	DefaultURL           = "amqp://guest:guest@localhost:5672/"
	DefaultExchange      = "streamll"
	DefaultExchangeKind  = "topic"
	DefaultRoutingKey    = "streamll.{event_type}"
	DefaultConfirmWindow = 1000
	DefaultDialTimeout   = 3 * time.Second
	// DefaultMaxMessageBytes is RabbitMQ 4's default max_message_size.
	DefaultMaxMessageBytes = 16 << 20
)

// AMQPDefaultExchange names AMQP's nameless default exchange, which routes a
// message to the queue named by its routing key, as RabbitMQ's tools call it.
// Set Config.Exchange to it to publish as the last Python streamll did
// (routing key = queue name); the sink never declares it.
const AMQPDefaultExchange = "amq.default"

// Config configures a RabbitMQ sink. The zero value publishes persistent
// messages with publisher confirms to the durable topic exchange "streamll"
// on amqp://guest:guest@localhost:5672/, with routing keys
// "streamll.<event_type>".
type Config struct {
	// Options configure the host that runs the sink: filter, batching,
	// buffer, retries, circuit breaker, supervision. See sinks.Options for
	// their defaults.
	sinks.Options

	// URL locates the broker: amqp://user:password@host:port/vhost, or
	// amqps://... for TLS; query parameters such as ?heartbeat=5 are read as
	// amqp091-go's ParseURI reads them. Several nodes of a cluster may be
	// given separated by commas (so RABBITMQ_CLUSTER_URL can hold them all);
	// a comma inside a password must be written %2C. A setting of sink URLs
	// (package sinkurl), such as ?exchange=, is refused with an error that
	// names the field to set instead, and so is any query parameter
	// amqp091-go does not read (it would ignore it). Default
	// "amqp://guest:guest@localhost:5672/" when URLs is empty too.
	URL string

	// URLs lists more nodes of the same cluster, tried after those in URL.
	// The sink connects to the first node that answers; when that connection
	// is lost it tries the next node first, going round the list once per
	// Write. Default none.
	URLs []string

	// Exchange is where events are published. It is declared (durable unless
	// Transient) unless NoDeclare is set; names starting with "amq." are
	// only checked to exist, as RabbitMQ reserves them. AMQPDefaultExchange
	// publishes to the default exchange, whose routing key is a queue name.
	// Default "streamll".
	Exchange string

	// ExchangeKind is the type Exchange is declared with: "topic", "direct",
	// "fanout", "headers" or a plugin's "x-..." type. Default "topic".
	ExchangeKind string

	// RoutingKey is the template of each message's routing key. Placeholders
	// {event_type}, {operation}, {module_name}, {method_name},
	// {execution_id} and {tag:NAME} are replaced by the event's values,
	// each made into exactly one routing-key word (see the package
	// documentation); "{{" and "}}" stand for literal braces. An unknown
	// placeholder is a configuration error. Default "streamll.{event_type}",
	// or Queue.Name with AMQPDefaultExchange.
	RoutingKey string

	// Transient makes the exchange and queue non-durable and the messages
	// non-persistent (delivery mode 1): faster, but lost when the broker
	// restarts. Default false: durable exchange and queue, persistent
	// messages, as the seed's durable=True. The zero value is the safe one,
	// which is why this switch is named for what it gives up.
	Transient bool

	// Mandatory publishes with the mandatory flag: a message no queue is
	// bound to receive is returned by the broker, and its event counts as a
	// failed delivery that retrying cannot cure (dropped and counted as a
	// permanent error, and logged). Without it the broker discards such a
	// message and the event counts as delivered. Requires confirms. Default
	// false.
	Mandatory bool

	// Queue, when set, is declared and bound to Exchange before the first
	// publish, for users who want the sink to set up the queue they consume.
	// Default nil: the sink declares no queue.
	Queue *QueueConfig

	// NoDeclare skips declaring the exchange: it must already exist (for
	// example when the broker's topology is managed by operations and the
	// application lacks the configure permission). Default false.
	NoDeclare bool

	// ConfirmWindow is the most messages a Write keeps published but not yet
	// confirmed by the broker. Default 1000.
	ConfirmWindow int

	// NoConfirms turns publisher confirms off: an event counts as delivered
	// once it is written to the connection, and is lost if the broker or
	// the network fails before storing it. Default false (confirms on).
	NoConfirms bool

	// MaxMessageBytes bounds an event's encoded size. A larger event is not
	// published, since the broker would close the channel over it, and is
	// dropped as a permanent error. Default 16 MiB (RabbitMQ 4's
	// max_message_size); set it to the broker's own limit.
	MaxMessageBytes int

	// DialTimeout bounds connecting to one node, the TCP, TLS and AMQP
	// handshakes and the declarations included. Default 3s.
	DialTimeout time.Duration

	// ConnectionName is the connection_name the broker shows for the
	// sink's connections (rabbitmqctl list_connections client_properties,
	// the management UI). Default "streamll-go".
	ConnectionName string

	// Logger receives the sink's own log lines: connections made and lost, returned and
	// blocked messages. Default nil: the
	// bus's logger, which the bus gives every sink labelled with its name
	// (see sinks.Logging), so one logger serves the whole bus; set it to send
	// this sink's lines elsewhere (they are labelled sink=<name> too).
	Logger *slog.Logger
}

// QueueConfig describes a queue the sink declares and binds to its exchange.
// It is durable unless Config.Transient.
type QueueConfig struct {
	// Name names the queue. Required.
	Name string
	// BindingKey binds the queue to the exchange. Default "#" (every event)
	// for a topic exchange, "" for fanout and headers exchanges, and the
	// routing key itself for a direct exchange when the key has no
	// placeholder; other cases must set it. Ignored with AMQPDefaultExchange,
	// which needs no binding.
	BindingKey string
	// DeadLetterExchange receives messages the queue rejects or expires
	// (x-dead-letter-exchange). Default none.
	DeadLetterExchange string
	// MaxLength caps the queue's length in messages (x-max-length); the
	// oldest are dropped, or dead-lettered, beyond it. Default 0: unbounded.
	MaxLength int
}

// exchangeKinds are the exchange types RabbitMQ ships with.
var exchangeKinds = []string{"topic", "direct", "fanout", "headers"}

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	if c.Exchange == "" {
		c.Exchange = DefaultExchange
	}
	if c.ExchangeKind == "" {
		c.ExchangeKind = DefaultExchangeKind
	}
	switch {
	case c.RoutingKey != "":
	case c.Exchange != AMQPDefaultExchange:
		c.RoutingKey = DefaultRoutingKey
	case c.Queue != nil:
		c.RoutingKey = strings.ReplaceAll(strings.ReplaceAll(c.Queue.Name, "{", "{{"), "}", "}}")
	}
	if c.ConfirmWindow == 0 {
		c.ConfirmWindow = DefaultConfirmWindow
	}
	// A Write waits for its batch's confirms, so batches as large as the
	// window keep the window full (10-20% more throughput than the host's
	// default 256 here, see docs/benchmarks.md).
	c.Options = c.Options.DefaultBatch(c.ConfirmWindow)
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.ConnectionName == "" {
		c.ConnectionName = "streamll-go"
	}
	return c
}

// validate reports every error in c (defaults applied) except those of the
// URLs, each wrapping sinks.ErrInvalidConfig.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: rabbitmqsink: %s", sinks.ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if err := c.Options.Validate(); err != nil {
		errs = append(errs, err)
	}
	defaultExchange := c.Exchange == AMQPDefaultExchange
	if !defaultExchange && !validExchangeKind(c.ExchangeKind) {
		bad("ExchangeKind %q is not one of %s or an x-... plugin type", c.ExchangeKind, strings.Join(exchangeKinds, ", "))
	}
	if len(c.Exchange) > MaxRoutingKeyBytes {
		bad("Exchange is %d bytes, over AMQP's %d", len(c.Exchange), MaxRoutingKeyBytes)
	}
	var key *routingKey
	if defaultExchange && c.RoutingKey == "" {
		bad("the default exchange routes by queue name: set Queue or RoutingKey")
	} else if k, err := parseRoutingKey(c.RoutingKey); err != nil {
		bad("RoutingKey %q: %v", c.RoutingKey, err)
	} else {
		key = k
	}
	if c.Mandatory && c.NoConfirms {
		bad("Mandatory needs publisher confirms to tell returned events apart; unset NoConfirms")
	}
	if c.ConfirmWindow < 0 {
		bad("ConfirmWindow %d is negative", c.ConfirmWindow)
	}
	if c.MaxMessageBytes < 0 {
		bad("MaxMessageBytes %d is negative", c.MaxMessageBytes)
	}
	if c.DialTimeout < 0 {
		bad("DialTimeout %v is negative", c.DialTimeout)
	}
	if q := c.Queue; q != nil {
		switch {
		case q.Name == "":
			bad("Queue.Name is required")
		case len(q.Name) > MaxRoutingKeyBytes:
			bad("Queue.Name is %d bytes, over AMQP's %d", len(q.Name), MaxRoutingKeyBytes)
		}
		if q.MaxLength < 0 {
			bad("Queue.MaxLength %d is negative", q.MaxLength)
		}
		if c.NoDeclare {
			bad("NoDeclare and Queue contradict each other: the queue would not be declared")
		}
		if !defaultExchange && key != nil {
			if _, err := c.bindingKey(key); err != nil {
				bad("%v", err)
			}
		}
	}
	return errors.Join(errs...)
}

// bindingKey returns the key that binds Queue to the exchange.
func (c Config) bindingKey(key *routingKey) (string, error) {
	if c.Queue.BindingKey != "" {
		return c.Queue.BindingKey, nil
	}
	switch c.ExchangeKind {
	case "topic":
		return "#", nil
	case "fanout", "headers":
		return "", nil
	case "direct":
		if fixed, ok := key.fixed(); ok {
			return fixed, nil
		}
	}
	return "", fmt.Errorf("set Queue.BindingKey: no default binds a %s exchange to routing key %q", c.ExchangeKind, c.RoutingKey)
}

func validExchangeKind(kind string) bool {
	return slices.Contains(exchangeKinds, kind) || strings.HasPrefix(kind, "x-") && len(kind) > 2
}
