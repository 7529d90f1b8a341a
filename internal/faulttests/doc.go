// Package faulttests proves the bus's resilience against real servers: Redis
// cut off or frozen mid-stream through an in-test TCP proxy, overflow while a
// sink is down, Close while a sink is down, RabbitMQ connections closed by the
// broker. It has tests only.
//
// The tests in the files built with the "faults" tag stop and restart the
// shared Redis and RabbitMQ servers themselves, so they must run alone:
//
//	go test -tags faults -p 1 -run 'Server' ./internal/faulttests/
//
// The NATS tests built with the same tag start nats-server processes of their
// own on loopback ports 14220-14299 (a single server killed and restarted, and
// a 3-node cluster whose R3 stream loses its leader) and never touch the
// shared server, so they may run beside other tests:
//
//	go test -tags faults -run NATS ./internal/faulttests/
package faulttests
