package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// output is a command's stdout or stderr in a test: it keeps what was
// written and lets the test wait for some text.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func newOutput() *output { return &output{changed: make(chan struct{})} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	close(o.changed)
	o.changed = make(chan struct{})
	return o.buf.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// waitFor waits until the output holds text, or fails the test at the
// deadline.
func (o *output) waitFor(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	for {
		o.mu.Lock()
		has, ch := strings.Contains(o.buf.String(), text), o.changed
		o.mu.Unlock()
		if has {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("output never showed %q; it is:\n%s", text, o)
		}
	}
}

// command runs the streamll command line in the background and returns its
// outputs and a channel that yields its exit code.
func command(ctx context.Context, args ...string) (stdout, stderr *output, code <-chan int) {
	stdout, stderr = newOutput(), newOutput()
	c := make(chan int, 1)
	e := env{stdout: stdout, stderr: stderr, getenv: func(string) string { return "" }}
	go func() { c <- run(ctx, args, e) }()
	return stdout, stderr, c
}

func exitCode(t *testing.T, code <-chan int) int {
	t.Helper()
	select {
	case c := <-code:
		return c
	case <-time.After(30 * time.Second):
		t.Fatal("the command did not exit")
		return -1
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"no command", nil, exitUsage, "", "Usage:"},
		{"help", []string{"help"}, exitOK, "streamll tail [flags] URL", ""},
		{"help tail", []string{"help", "tail"}, exitOK, "", "--tag"},
		{"tail --help", []string{"tail", "--help"}, exitOK, "", "Usage: streamll tail"},
		{"dashboard --help", []string{"dashboard", "-h"}, exitOK, "", "Usage: streamll dashboard"},
		{"unknown command", []string{"top"}, exitUsage, "", `unknown command "top"`},
		{"no URL", []string{"tail"}, exitUsage, "", "no URL given"},
		{"two URLs", []string{"tail", "redis://a", "redis://b"}, exitUsage, "", "one URL expected, got 2"},
		{"unknown flag", []string{"tail", "--nope", "redis://a"}, exitUsage, "", "flag provided but not defined: -nope"},
		{"bad tag", []string{"tail", "--tag", "customer", "redis://a"}, exitUsage, "", "want key=value"},
		{"bad color", []string{"tail", "--color", "pink", "redis://a"}, exitUsage, "", `--color "pink"`},
		{"bad URL", []string{"tail", "kafka://x"}, exitUsage, "", `unknown scheme "kafka://"`},
		{"bad from", []string{"tail", "--from", "yesterday", "redis://127.0.0.1:1"}, exitUsage, "", `From "yesterday"`},
		{"unreachable, password hidden", []string{"tail", "redis://app:s3cret@127.0.0.1:1?stream=x"}, exitError, "", "cannot reach"},
		{"dashboard bad listen", []string{"dashboard", "--listen", "nowhere", "redis://127.0.0.1:1"}, exitUsage, "", "--listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := command(t.Context(), tt.args...)
			if got := exitCode(t, code); got != tt.code {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", got, tt.code, stderr)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr)
			}
			if strings.Contains(stdout.String()+stderr.String(), "s3cret") {
				t.Errorf("the password is shown:\n%s%s", stdout, stderr)
			}
		})
	}
}
