package servicetest

import (
	"net/url"
	"os"
	"testing"
)

// Defaults for the service URLs.
const (
	DefaultRedisURL    = "redis://localhost:6379"
	DefaultRabbitMQURL = "amqp://guest:guest@localhost:5672/"
	DefaultNATSURL     = "nats://127.0.0.1:4222"
)

// RedisURL returns the Redis URL from REDIS_URL (default
// redis://localhost:6379) once the server there answers PING; otherwise it
// skips or fails t.
func RedisURL(t testing.TB) string {
	t.Helper()
	return require(t, "REDIS_URL", DefaultRedisURL, redisProtocol)
}

// RabbitMQURL returns the RabbitMQ URL from RABBITMQ_URL (default
// amqp://guest:guest@localhost:5672/) once the broker there answers the AMQP
// protocol header with connection.start; otherwise it skips or fails t.
func RabbitMQURL(t testing.TB) string {
	t.Helper()
	return require(t, "RABBITMQ_URL", DefaultRabbitMQURL, amqpProtocol)
}

// NATSURL returns the NATS URL from NATS_URL (default nats://127.0.0.1:4222)
// once the server there sends its INFO line; otherwise it skips or fails t.
func NATSURL(t testing.TB) string {
	t.Helper()
	return require(t, "NATS_URL", DefaultNATSURL, natsProtocol)
}

// Required reports whether STREAMLL_REQUIRE_SERVICES asks for missing services
// to fail tests instead of skipping them.
func Required() bool { return os.Getenv("STREAMLL_REQUIRE_SERVICES") == "1" }

// require finds the server env names and asks it whether it speaks p, within
// a few seconds: a TCP connect alone passes a port that accepts and then
// never answers, and the test would hang in its first call.
func require(t testing.TB, env, def string, p protocol) string {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", env, err) // a typo, not a missing server
	}
	if err := probe(p, u); err != nil {
		skipOrFail(t, env+" server "+u.Redacted()+" "+err.Error()+"; set "+env+" to a running server to run this test")
	}
	return raw
}

// skipOrFail skips t with msg, or fails it when services are required.
func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatal(msg + " (STREAMLL_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
}

// Name returns a name unique to this test run, for stream keys, exchanges and
// queues: prefix, the test's name and a random suffix.
func Name(t testing.TB, prefix string) string {
	t.Helper()
	var b [6]byte
	for i := range b {
		b[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[randIntn(36)]
	}
	return prefix + "_" + sanitize(t.Name()) + "_" + string(b[:])
}
