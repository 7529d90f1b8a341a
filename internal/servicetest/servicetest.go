package servicetest

import (
	"net"
	"net/url"
	"os"
	"testing"
	"time"
)

// Defaults for the service URLs.
const (
	DefaultRedisURL    = "redis://localhost:6379"
	DefaultRabbitMQURL = "amqp://guest:guest@localhost:5672/"
)

// RedisURL returns the Redis URL from REDIS_URL (default redis://localhost:6379)
// once a TCP connection to it succeeds; otherwise it skips or fails t.
func RedisURL(t testing.TB) string {
	t.Helper()
	return require(t, "REDIS_URL", DefaultRedisURL, "6379")
}

// RabbitMQURL returns the RabbitMQ URL from RABBITMQ_URL (default
// amqp://guest:guest@localhost:5672/) once a TCP connection to it succeeds;
// otherwise it skips or fails t.
func RabbitMQURL(t testing.TB) string {
	t.Helper()
	return require(t, "RABBITMQ_URL", DefaultRabbitMQURL, "5672")
}

// Required reports whether STREAMLL_REQUIRE_SERVICES asks for missing services
// to fail tests instead of skipping them.
func Required() bool { return os.Getenv("STREAMLL_REQUIRE_SERVICES") == "1" }

func require(t testing.TB, env, def, port string) string {
	t.Helper()
	raw := os.Getenv(env)
	if raw == "" {
		raw = def
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s is not a URL: %v", env, err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), port)
	}
	conn, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		msg := env + " server " + u.Redacted() + " is unreachable (" + err.Error() + "); set " + env + " to run this test"
		if Required() {
			t.Fatal(msg + " (STREAMLL_REQUIRE_SERVICES=1)")
		}
		t.Skip(msg)
	}
	conn.Close()
	return raw
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
