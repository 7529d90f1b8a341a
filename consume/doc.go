// Package consume reads streamll events back from where the sinks put them:
// a Redis stream, a RabbitMQ queue, a NATS JetStream stream. It is the other
// half of the wire format (docs/wire-format.md): every message is decoded
// with events.Unmarshal, which also reads what the Python streamll writes (a
// null operation, a space in the timestamp, Redis entries whose field is
// "message").
//
//	c, err := consume.Open(ctx, "redis://localhost:6379?stream=ai_platform_events", consume.Options{})
//	if err != nil {
//		return err
//	}
//	defer c.Close()
//	return c.Run(ctx, func(ctx context.Context, m consume.Message) error {
//		fmt.Println(m.Event.Tags["customer_id"], m.Event.EventType)
//		return nil
//	})
//
// # Reading
//
// A Consumer is made by NewRedis, NewRabbitMQ, NewNATS or, from a URL as
// package sinkurl spells it, Open. The constructor connects and fixes where
// reading starts (Options.From: now, the default, or beginning, or a
// position of the source), so that what is written after it returns is
// read. Run calls a handler for each message, in source order, on the
// caller's goroutine; RunBatch gives a handler all the messages of one read;
// Messages is an iterator for a range loop. All three stop when their
// context ends.
//
// Memory is bounded: a consumer holds at most two batches of Options.Batch
// messages (the one being handled, and the next one when the source has more
// waiting, read ahead while the first is decoded and handled); Batch is also
// the RabbitMQ prefetch and the NATS MaxAckPending. Large batches are decoded
// on every processor. Messages read but not handled when Run stops are given
// to the next Run, or back to the source by Close.
//
// # Acknowledgements
//
// A message is acknowledged only after the handler returned for it: XACK in
// a Redis consumer group, basic.ack on RabbitMQ, Ack on NATS. A handler that
// returns an error stops Run, and the message it failed on is delivered
// again later (to this consumer when it restarts, or to another): delivery is
// at-least-once, and a handler de-duplicates on Event.EventID where that
// matters. A plain Redis XREAD (no group) and a private RabbitMQ queue keep
// no state to come back to; they suit a live view such as `streamll tail`.
//
// A message that is not an event (bad JSON, a missing field) is never given
// to the handler: it is counted (Stats.Invalid), reported to
// Options.OnInvalid or the logger, and settled so that it does not come back
// (rejected without requeue on RabbitMQ, where a dead-letter exchange
// receives it).
//
// # Sources
//
// Redis: plain XREAD from an entry ID, or a consumer group (XREADGROUP and
// XACK). A group member first reads again the entries it was given and did
// not acknowledge before (its pending entries), and with ClaimIdle takes
// over those of members that stopped (XAUTOCLAIM).
//
// RabbitMQ: a private queue bound to an exchange, a durable queue declared
// and bound, or an existing queue. Messages are acknowledged after the
// handler, in order, with one basic.ack per read.
//
// NATS JetStream: a pull consumer on a stream, durable (its position kept by
// the server) or ephemeral (deleted in Close).
//
// Errors wrap ErrInvalidConfig, ErrConnect, ErrSourceLost or ErrClosed, and
// never show a password.
package consume
