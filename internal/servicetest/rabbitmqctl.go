package servicetest

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// rabbitmqctlPurpose says, in skip messages, why a test needs rabbitmqctl.
const rabbitmqctlPurpose = "control the local RabbitMQ broker (list and close its connections, stop and start it)"

// RequireRabbitmqctl skips t, or fails it under STREAMLL_REQUIRE_SERVICES=1,
// when rabbitmqctl is not on PATH (the usual case when the broker runs in a
// container or on another host). Tests that call CloseConnections from a
// goroutine of their own check with it first.
func RequireRabbitmqctl(t testing.TB) {
	t.Helper()
	Binary(t, "rabbitmqctl", rabbitmqctlPurpose)
}

// Rabbitmqctl runs the broker's control tool and returns its output. Where
// the tool is missing or fails, the test fails when services are required
// and skips otherwise.
func Rabbitmqctl(t testing.TB, args ...string) string {
	t.Helper()
	RequireRabbitmqctl(t)
	out, err := RunRabbitmqctl(args...)
	if err != nil {
		skipOrFail(t, err.Error())
	}
	return out
}

// RunRabbitmqctl runs the tool and returns its output, trying again (three
// times in all) when it fails: on a loaded machine its own Erlang node can
// time out reaching the broker's (exit status 69, EX_UNAVAILABLE) although
// the broker is fine, so only idempotent commands belong here. It does not
// touch a testing.T, so a test may call it from a goroutine of its own (after
// RequireRabbitmqctl).
func RunRabbitmqctl(args ...string) (string, error) {
	const attempts = 3
	var err error
	for range attempts {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		var out []byte
		out, err = exec.CommandContext(ctx, "rabbitmqctl", args...).CombinedOutput()
		cancel()
		if err == nil {
			return string(out), nil
		}
		err = fmt.Errorf("rabbitmqctl %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return "", err
}

// ConnectionPIDs returns the broker's ids of the connections whose
// client-provided connection_name is name, for closing them from the broker
// side with `rabbitmqctl close_connection`.
func ConnectionPIDs(t testing.TB, name string) []string {
	t.Helper()
	return connectionPIDs(Rabbitmqctl(t, "list_connections", "pid", "client_properties", "-q", "--no-table-headers"), name)
}

func connectionPIDs(listing, name string) []string {
	var pids []string
	for line := range strings.Lines(listing) {
		pid, props, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && strings.Contains(props, `{"connection_name","`+name+`"}`) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// CloseConnections closes, from the broker side, every connection whose
// connection_name is name, and returns how many it closed. It does not touch
// a testing.T, so a test may call it from a goroutine of its own (after
// RequireRabbitmqctl).
func CloseConnections(name, reason string) (int, error) {
	out, err := RunRabbitmqctl("list_connections", "pid", "client_properties", "-q", "--no-table-headers")
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, pid := range connectionPIDs(out, name) {
		// Closing a connection that has just gone succeeds too.
		if _, err := RunRabbitmqctl("close_connection", pid, reason); err != nil {
			return closed, err
		}
		closed++
	}
	return closed, nil
}
