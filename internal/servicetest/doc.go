// Package servicetest finds the real Redis, RabbitMQ and NATS servers that
// integration tests use, and decides what a test does when one is missing:
// skip with a message naming the variable to set, or fail when
// STREAMLL_REQUIRE_SERVICES=1 (as CI sets it).
//
// A server counts as there when it answers in its protocol within a few
// seconds (Redis PING, the AMQP protocol header, NATS's INFO line), not when
// its port merely accepts a connection: a port that accepts and never
// answers, such as a container still starting, makes tests skip at once
// instead of hanging. Each URL is probed once per test binary.
//
// Tests that control a server need its tools on PATH: Binary checks for one
// (redis-server, rabbitmqctl) and skips with a message naming it, or fails
// under STREAMLL_REQUIRE_SERVICES=1. Rabbitmqctl and CloseConnections close
// connections from the broker side; StartRedisServer runs a redis-server of
// the test's own, which it may stop and restart without touching the shared
// one. Tests that stop a server are built with the "faults" tag only (see
// .ci/run). StartRedisTLSServer runs one that serves TLS only, with a
// certificate of a CA of the test's own (NewTLSFiles).
//
// Tests use Name for their own stream keys, exchanges and queues, so that
// packages can run in parallel against the same servers.
package servicetest
