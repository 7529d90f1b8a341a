package servicetest

import (
	"os/exec"
	"testing"
)

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
