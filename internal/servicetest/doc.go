// Package servicetest finds the real Redis, RabbitMQ and NATS servers that
// integration tests use, and decides what a test does when one is missing: skip
// with a message naming the variable to set, or fail when
// STREAMLL_REQUIRE_SERVICES=1 (as CI sets it).
//
// It also wraps rabbitmqctl for tests that close connections from the broker
// side. Tests use it to name their own stream keys, exchanges and queues
// (Name), so that packages can run in parallel against the same servers.
package servicetest
