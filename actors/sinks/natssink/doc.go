// Package natssink is the NATS JetStream sink: each event becomes one message
// in a stream, acknowledged by the stream before it counts as delivered.
//
//	s, err := natssink.New(natssink.Config{
//		URL:     os.Getenv("NATS_URL"), // several servers: comma-separated
//		Stream:  "ai_events",
//		Subject: "ai.{module_name}.{event_type}",
//	})
//
// # Messages
//
// The body is the event in wire format v1 (events.AppendJSON), the same bytes
// the Redis and RabbitMQ sinks write. The headers are Nats-Msg-Id (the
// event_id, which the stream uses to drop duplicates), Content-Type
// (application/json), event_type, operation, module_name, method_name,
// execution_id and schema_version, as the RabbitMQ sink's.
//
// The subject is a template over the placeholders of the RabbitMQ routing key:
// {event_type}, {operation}, {module_name}, {method_name}, {execution_id} and
// {tag:NAME}. Each value becomes part of exactly one subject token: '.', '*',
// '>', whitespace, control characters and invalid UTF-8 become '_', an empty
// value becomes "unknown", and a value is cut to MaxValueBytes. So
// "ai.{module_name}.{event_type}" gives "ai.Chat_Bot_v2.token" for module
// "Chat Bot.v2", and a consumer's filter "ai.*.error" means what it says.
//
// # The stream
//
// The stream must exist (create it with the nats tool or your deployment),
// unless Config.CreateStream gives the configuration to create it with; an
// existing stream is never changed. The sink reads the stream's subjects when
// it connects: an event whose subject the stream does not bind is not
// published, and is dropped as a permanent error (ErrSubjectNotBound), since
// the server would either discard it or store it in another stream. A missing
// stream (ErrStreamNotFound) is retried, so events wait in the host's buffer
// until it is created.
//
// # Acks, order and duplicates
//
// A Write publishes its batch with PublishAsync, at most Window messages
// unacknowledged at a time, and waits for every ack: an event counts as
// delivered once the stream has stored it (with R3, on a quorum of servers).
// Errors are per event: a *sinks.BatchError lists the events that were not
// stored, each with a classified error (see the Err variables); ErrTooLarge
// and ErrSubjectNotBound are permanent, the rest are retried by the host.
//
// Order is kept within a stream across reconnects and leader failovers. The
// first event of a batch that fails for a reason a retry may cure stops the
// publishing of the rest, so no later event is stored ahead of its retry; and
// after any failure (and on a new connection) the next Write sends one event
// and waits for its ack before opening the window again, which proves the
// stream has a leader that stores what follows. nats.go's own republishing of
// a message that found no responder is off for the same reason: it runs on a
// timer per message.
//
// A retry can send a message the stream already stored (its ack was lost with
// a connection, or came after the deadline). Such a copy is recognised by its
// Nats-Msg-Id and not stored again, within the stream's duplicate window
// (Duplicates in the stream's configuration, 2 minutes by default). A retry
// later than that stores a second copy, which consumers drop by event_id.
//
// # Connections
//
// The sink dials on its first Write, with every server of Config.URL and
// Config.URLs, and the client fails over among them and the servers the
// cluster announces, reconnecting for as long as the sink is open. While it
// reconnects, publishing fails at once (the client buffers nothing), so the
// events wait in the host's bounded buffer. When acks time out, the next Write
// pings the server first and, when it does not answer, makes the client
// reconnect: a frozen connection is left within one Write. Credentials (in the
// URLs, User and Password, Token, CredsFile, TLS client certificates) never
// appear in an error, a log line or Health.
package natssink
