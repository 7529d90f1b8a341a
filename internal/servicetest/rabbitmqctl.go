package servicetest

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Rabbitmqctl runs the broker's control tool and returns its output. Where
// the tool is missing or fails, the test fails when services are required
// and skips otherwise.
func Rabbitmqctl(t testing.TB, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("rabbitmqctl")
	if err != nil {
		skipOrFail(t, "rabbitmqctl is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, args...).CombinedOutput()
	if err != nil {
		skipOrFail(t, "rabbitmqctl "+strings.Join(args, " ")+": "+err.Error()+"\n"+string(out))
	}
	return string(out)
}

// ConnectionPIDs returns the broker's ids of the connections whose
// client-provided connection_name is name, for closing them from the broker
// side with `rabbitmqctl close_connection`.
func ConnectionPIDs(t testing.TB, name string) []string {
	t.Helper()
	out := Rabbitmqctl(t, "list_connections", "pid", "client_properties", "-q", "--no-table-headers")
	var pids []string
	for line := range strings.Lines(out) {
		pid, props, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && strings.Contains(props, `{"connection_name","`+name+`"}`) {
			pids = append(pids, pid)
		}
	}
	return pids
}

func skipOrFail(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatal(msg + " (STREAMLL_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
}

// CloseConnections closes, from the broker side, every connection whose
// connection_name is name, and returns how many it closed. It does not touch
// a testing.T, so a test may call it from a goroutine of its own.
func CloseConnections(name, reason string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", "list_connections", "pid", "client_properties", "-q", "--no-table-headers").CombinedOutput()
	if err != nil {
		return 0, err
	}
	closed := 0
	for line := range strings.Lines(string(out)) {
		pid, props, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if !ok || !strings.Contains(props, `{"connection_name","`+name+`"}`) {
			continue
		}
		if err := exec.CommandContext(ctx, "rabbitmqctl", "close_connection", pid, reason).Run(); err != nil {
			return closed, err
		}
		closed++
	}
	return closed, nil
}
