package redissink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestClassifyReplies sends an XADD to a scripted server for each error reply,
// so that classify sees exactly the error values go-redis makes of them.
func TestClassifyReplies(t *testing.T) {
	tests := []struct {
		name      string
		reply     string
		retryable bool
	}{
		{"loading", "LOADING Redis is loading the dataset in memory", true},
		{"busy script", "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.", true},
		{"try again", "TRYAGAIN Multiple keys request during rehashing of slot", true},
		{"cluster down", "CLUSTERDOWN The cluster is down", true},
		{"master down", "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.", true},
		{"read only replica", "READONLY You can't write against a read only replica.", true},
		{"no replicas", "NOREPLICAS Not enough good replicas to write.", true},
		{"out of memory", "OOM command not allowed when used memory > 'maxmemory'.", true},
		{"snapshot failing", "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk.", true},
		{"max clients", "ERR max number of clients reached", true},
		{"moved", "MOVED 3999 127.0.0.1:6381", true},
		{"ask", "ASK 3999 127.0.0.1:6381", true},
		{"wrong type", "WRONGTYPE Operation against a key holding the wrong kind of value", false},
		{"no permission", "NOPERM User streamll has no permissions to run the 'xadd' command", false},
		{"not authenticated", "NOAUTH Authentication required.", false},
		{"wrong password", "WRONGPASS invalid username-password pair or user is disabled.", false},
		{"too large", "ERR string exceeds maximum allowed size (proto-max-bulk-len)", false},
		{"unknown command", "ERR unknown command 'xadd', with args beginning with: ", false},
		{"busy key is not busy", "BUSYKEY Target key name already exists.", false},
		{"unknown code", "SOMETHINGNEW the server refused", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRedis(t, func(int) string { return "-" + tt.reply + "\r\n" })
			err := f.client(t).XAdd(t.Context(), &redis.XAddArgs{Stream: "s", Values: []any{"event", "{}"}}).Err()
			if err == nil || err.Error() != tt.reply {
				t.Fatalf("XADD error = %v, want the reply %q", err, tt.reply)
			}
			if got := classify(err); got != tt.retryable {
				t.Errorf("classify(%q) = %v, want %v", tt.reply, got, tt.retryable)
			}
			if got := classify(fmt.Errorf("wrapped: %w", err)); got != tt.retryable {
				t.Errorf("classify(wrapped %q) = %v, want %v", tt.reply, got, tt.retryable)
			}
		})
	}
}

func TestClassifyTransportErrors(t *testing.T) {
	refused := refusedDial(t)
	tests := []struct {
		name      string
		err       error
		retryable bool
	}{
		{"connection refused (real dial)", refused, true},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"broken pipe", &net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}, true},
		{"eof", io.EOF, true},
		{"unexpected eof", io.ErrUnexpectedEOF, true},
		{"socket deadline", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, true},
		{"context deadline", context.DeadlineExceeded, true},
		{"context cancelled", context.Canceled, true},
		{"pool timeout", redis.ErrPoolTimeout, true},
		{"client closed under the sink", redis.ErrClosed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.retryable {
				t.Errorf("classify(%v) = %v, want %v", tt.err, got, tt.retryable)
			}
		})
	}
}

// refusedDial returns the error of a real dial to a closed loopback port.
func refusedDial(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
		t.Skip("a closed port accepted a connection")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial of a closed port: %v, want connection refused", err)
	}
	return err
}
