package servicetest

import (
	"os/exec"
	"testing"
)

// Binary returns the path of the program name, for a test that controls a
// server of its own or the machine's (redis-server, rabbitmqctl). Where it is
// not on PATH, as where the server runs in a container or on another host, it
// skips t with a message naming the program and what the test needs it for,
// or fails t under STREAMLL_REQUIRE_SERVICES=1.
func Binary(t testing.TB, name, purpose string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, name+" is not on PATH; this test needs it to "+purpose+
			" (install it, or put it on PATH, to run this test)")
	}
	return path
}
