// Command bench measures streamll-go: how many events per second a bus
// carries into real sinks, what Emit costs the producer, how long an event
// takes to reach a consumer, and what became of every event. Anyone can
// reproduce the figures in docs/benchmarks.md with one command against their
// own Redis, RabbitMQ and NATS:
//
//	go run . -sink redis -events 500000 -batch 500 -baseline
//
// # Scenarios
//
// The default scenario emits a workload through a bus into the sinks named by
// -sink (memory, terminal, redis, rabbitmq, nats; several at once, a kind
// may repeat). Producers are goroutines calling Emit on events padded to -payload
// encoded bytes. Without -rate they emit as fast as the sinks absorb: since
// Emit never waits for a sink, they hold back themselves once -window events
// per sink are in flight (emitted, not yet delivered or dropped), which keeps
// the run measuring delivery rather than the overflow policy. With -rate they
// emit on a fixed schedule whatever the sinks do (open loop), as an
// application would, and a live consumer measures end-to-end latency.
//
// -baseline adds, in the same process, the raw client doing the same work
// with no bus (go-redis pipelined XADD with the same batch size, from
// -raw-conns connections; amqp091-go on one channel with the same confirm
// window; nats.go PublishAsync on one connection with the same ack window and
// the same messages) and prints the bus's figure as a ratio to it; -repeat interleaves
// rounds and takes the median ratio, since one pair says little on a noisy
// machine. -sweep varies
// producers and sinks and draws a chart (-chart). -outage cuts or freezes the
// first network sink's connection through a local TCP proxy for a while
// mid-run and reports loss, drops, duplicates and recovery; -blackhole
// compares Emit latency with that sink healthy and blackholed.
//
// # Accounting
//
// Every event is accounted for per sink: delivered or dropped as the bus
// counts them, and read back by a consumer (XREAD for Redis, a queue bound to
// the exchange for RabbitMQ, an ordered JetStream consumer for NATS, the
// lines of the terminal's pipe, the memory sink's count), which
// de-duplicates by event_id. Lost events (reported
// delivered but never read, or neither delivered nor counted as dropped)
// must be 0: the command exits with status 1 otherwise.
//
// Stream keys, exchanges and queues are named from -prefix plus a random
// suffix and deleted at the end, also after Ctrl-C (a NATS run's stream, on
// file storage, too). Service URLs come from REDIS_URL, RABBITMQ_URL and
// NATS_URL; fault scenarios only run against loopback servers, which they
// never stop.
package main
