// Package faulttests proves the bus's resilience against real servers: Redis
// cut off or frozen mid-stream through an in-test TCP proxy, overflow while a
// sink is down, Close while a sink is down. It has tests only.
//
// The tests in the files built with the "faults" tag control servers: they
// close RabbitMQ connections from the broker side with rabbitmqctl, restart
// the shared RabbitMQ broker, and kill and restart a redis-server of their
// own. They need rabbitmqctl and redis-server on PATH (and skip, naming what
// is missing, without them), and must run alone, as .ci/run's fault step
// runs them:
//
//	go test -tags faults -p 1 -run 'ClosedByBroker|ServerRestart' ./internal/faulttests/
//
// The NATS tests built with the same tag start nats-server processes of their
// own on loopback ports 14220-14299 (a single server killed and restarted, and
// a 3-node cluster whose R3 stream loses its leader) and never touch the
// shared server, so they may run beside other tests:
//
//	go test -tags faults -run NATS ./internal/faulttests/
package faulttests
