// Command peers runs the bench's workloads through watermill's publishers and
// through a streamll-go bus, in one process, and prints events per second and
// the ratios between them. It is its own Go module, as zap's benchmarks are,
// so that watermill never enters streamll-go's go.mod:
//
//	cd bench/peers && go run . -producers 64
//
// Every system gets the same work: -events events of about -payload encoded
// bytes (the wire-format JSON of an event, made and encoded by the producer
// goroutines), published from -producers goroutines to a fresh Redis stream,
// to a fresh durable exchange with a durable queue bound to it, or to a fresh
// JetStream file stream (-nats-events events). A run ends
// when the server holds every event: for Redis when every XADD was answered,
// for RabbitMQ when every message was confirmed or, without confirms, when the
// queue holds them all; for NATS when every message was acknowledged. The stream, exchanges and queues are deleted at the end.
//
// The bus is given a buffer as large as the run, so that producers never wait
// and nothing is dropped; its time runs until Close has delivered everything.
// Watermill's publishers block each caller until the server answers, so their
// producers are the concurrency. The systems compared:
//
//   - Redis: streamll-go's Redis sink (pipelined XADD, -batch per pipeline)
//     against watermill-redisstream's Publisher (one XADD per Publish), both on
//     go-redis with a pool of -producers connections for watermill.
//   - RabbitMQ, persistent messages into a durable queue: streamll-go's sink
//     (publisher confirms, window -confirm-window) against watermill-amqp's
//     NewDurablePubSubConfig as it comes (one channel, no confirms) and tuned
//     (a pool of 64 channels, confirms on).
//   - NATS JetStream, into a file stream made for the run: streamll-go's sink
//     (PublishAsync, window -confirm-window, Nats-Msg-Id = event_id) against
//     watermill-nats v2's JetStream Publisher with TrackMsgId (the same
//     de-duplication) and the sink's three headers as metadata; it publishes
//     synchronously, one ack per Publish.
package main
