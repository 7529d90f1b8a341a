package servicetest

import (
	"os/exec"
	"testing"
)

// DefaultNATSURL is the NATS server tests use when NATS_URL is unset; it must
// have JetStream enabled (nats-server -js).
const DefaultNATSURL = "nats://127.0.0.1:4222"

// NATSURL returns the NATS URL from NATS_URL (default nats://127.0.0.1:4222)
// once a TCP connection to it succeeds; otherwise it skips or fails t. It
// names one server.
func NATSURL(t testing.TB) string {
	t.Helper()
	return require(t, "NATS_URL", DefaultNATSURL, "4222")
}

// NATSServer returns the path of the nats-server command, for tests that
// start servers of their own; where it is missing the test fails when
// services are required and skips otherwise.
func NATSServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nats-server")
	if err != nil {
		skipOrFail(t, "nats-server is not on PATH; install it (Debian: apt-get install nats-server) to run this test")
	}
	return path
}
