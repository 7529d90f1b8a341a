// Package rabbitmqsink publishes events to a RabbitMQ exchange, for durable
// audit trails and routing by department, with publisher confirms: an event
// counts as delivered only once the broker has taken responsibility for it.
//
//	sink, err := rabbitmqsink.New(rabbitmqsink.Config{
//		URL:        os.Getenv("RABBITMQ_URL"),
//		Exchange:   "financial_ai_audit",
//		RoutingKey: "loan.{operation}.{event_type}",
//		Options:    sinks.Options{Retry: supervisor.Retry{MaxRetries: 5}},
//	})
//
// New validates everything and does no I/O; the first Write connects.
//
// # Messages
//
// Each event is one message. The body is the event in wire format v1 (see
// package events), content type application/json; the delivery mode is
// persistent unless Config.Transient; message_id is the event_id, the
// timestamp is the event's (whole seconds, as AMQP carries it), type is the
// event_type and app_id is "streamll-go". The headers are event_type,
// operation, module_name, method_name, execution_id and schema_version (the
// wire format's version, "1"), all strings, for consumers and headers
// exchanges that route without parsing the body.
//
// # Routing keys
//
// Config.RoutingKey is a template: literal text with placeholders
// {event_type}, {operation}, {module_name}, {method_name}, {execution_id} and
// {tag:NAME} (the event's tag NAME); "{{" and "}}" are literal braces. New
// rejects an unknown or empty placeholder, unbalanced braces, an empty
// template, and a template whose literal text leaves less than 16 bytes per
// placeholder within AMQP's 255-byte limit.
//
// A substituted value is always exactly one routing-key word, so that topic
// bindings such as "loan.#" or "*.*.error" see the words the template has,
// never more or fewer:
//
//   - '.', '*', '#', whitespace, control characters and invalid UTF-8 become
//     '_': a module named "pkg.Bot" gives the word "pkg_Bot";
//   - an empty value (an event without an operation, or without the tag)
//     becomes "unknown";
//   - a value is cut, at a character boundary, to its share of the 255
//     bytes: (255 − literal bytes) / placeholders. Ids (12 characters) are
//     never cut.
//
// # Exchange, queue and durability
//
// The exchange (default "streamll", kind "topic") is declared on every
// connect, durable unless Transient; names starting with "amq." are only
// checked to exist, and NoDeclare skips declaring for brokers whose topology
// is managed elsewhere. Declaring an existing exchange with other properties
// fails (PRECONDITION_FAILED), and Write reports it.
//
// Config.Queue makes the sink declare a queue too and bind it to the exchange
// (binding key "#" by default for a topic exchange), with an optional
// dead-letter exchange and maximum length, for users who want the audit queue
// in place before the first event. Durable queue plus persistent messages is
// what survives a broker restart; Transient trades that for speed. The zero
// value is durable because the seed's RabbitMQSink used durable=True and an
// audit trail should not need a flag to be kept.
//
// # Confirms, the window and at-least-once delivery
//
// A channel in confirm mode numbers every publish, and the broker acks each
// one once it has routed it and, for persistent messages in durable queues,
// written it to disk. Write publishes its batch in order without waiting for
// each ack, keeping at most ConfirmWindow (default 1000) messages unconfirmed,
// then waits for the rest for as long as its context allows (under the host,
// Options.WriteTimeout). It
// returns nil when all were acked; otherwise a *sinks.BatchError lists exactly
// the events not delivered (or, when none was and all may be retried, the
// cause alone is returned), which the host retries, in order, before newer
// events:
//
//   - nacked by the broker (ErrNacked);
//   - not confirmed when the context ended (ErrUnconfirmed);
//   - lost with the connection or channel (ErrConnectionLost);
//   - not published because the broker blocked the connection (ErrBlocked).
//
// While it publishes a batch, Write gathers the frames amqp091-go writes
// (one system call per message otherwise) into large socket writes, flushed
// before it waits for confirms; between Writes the socket is written
// straight through, so heartbeats are never held back. Since a Write returns
// only once its batch is confirmed, the pipeline empties at every batch
// boundary: larger batches (Options.BatchSize) amortize that wait, and
// throughput approaches that of a continuous confirm window as they grow.
//
// A message can reach the queue even though its confirm never reached the
// sink (the connection dropped in between, or the wait ended first). Its
// retry then publishes it again: delivery is at least once, and consumers
// de-duplicate by message_id (the event_id) when they must. An event that was
// confirmed is never published again. With NoConfirms an event counts as
// delivered as soon as it is written to the connection, and a broker or
// network failure can lose it.
//
// # Unroutable messages
//
// Without Mandatory, a message that no queue is bound to receive is dropped
// by the broker, which still acks it: the event counts as delivered. With
// Mandatory the broker returns such a message (basic.return) before acking
// it; the sink then reports that event with ErrReturned marked permanent, so
// the host drops it and counts it as a permanent error instead of retrying a
// message that has nowhere to go, and logs a warning.
//
// # Blocked connections
//
// When the broker raises a memory or disk alarm it blocks publishing
// connections and says so (connection.blocked). The sink then stops
// publishing at once: Write returns ErrBlocked for the events it has not
// published and for those the broker has not confirmed, without waiting, and
// the host keeps them in its buffer (and, after repeated failures, opens its
// breaker) until connection.unblocked. Should a publish block on the socket
// before the notification arrives, the Write's context ending closes the
// connection, which unblocks it.
//
// # Connections, failover and reconnection
//
// amqp091-go does not reconnect by itself (its experimental Recovery is left
// off: it would renumber confirms behind the sink's back). The sink keeps one
// connection and one channel. When either closes (a broker restart, a node
// failure, rabbitmqctl close_connection, a channel error) the unconfirmed
// events of the Write in progress fail with ErrConnectionLost, and the next
// Write dials again and declares the exchange, queue and binding again.
// Backing off between attempts is the host's retry policy; each Write tries
// each node at most once. Besides amqp091-go's own, the sink runs one
// goroutine per connection, which follows connection.blocked and closures
// and ends with the connection; Close waits for it.
//
// URL may hold several comma-separated URLs, the nodes of a cluster (such as
// RABBITMQ_CLUSTER_URL), and URLs may add more. The first connection goes to
// the first node that answers, each within DialTimeout; after a failure the
// sink tries the next node first, going round the list, so a dead node is
// skipped rather than waited for. Credentials never appear in errors, logs or
// Health: URLs are shown redacted.
//
// # Compatibility with the Python streamll
//
// The seed's RabbitMQSink(amqp_url, exchange, routing_key, durable,
// max_retries) maps onto Config{URL, Exchange, RoutingKey, Transient: !durable} with
// Options.Retry.MaxRetries = max_retries: a durable topic exchange, the same placeholders, the event
// type, operation and module name in headers, so the seed's consumers (a
// durable queue bound with "loan.#", json.loads(body)) work unchanged. The
// last Python streamll published to the default exchange with the queue name
// as routing key; Exchange: AMQPDefaultExchange with Queue: &QueueConfig{Name:
// "streamll_events"} (and Transient: true, as it declared the queue
// non-durable) does the same.
package rabbitmqsink
