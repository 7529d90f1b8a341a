package spool

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

func TestLockInProcess(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	_, err := Open(dir, Options{})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open = %v, want ErrLocked", err)
	}
	if !strings.Contains(err.Error(), "held by process") {
		t.Errorf("the error does not name the holder: %v", err)
	}
	s.Close()
	s2 := open(t, dir, Options{})
	s2.Close()
}

func TestLockAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	cmd := child(t, "lock", dir)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != childLocked {
		t.Fatalf("child Open while we hold the lock: %v, want exit code %d (%s)", err, childLocked, stderr.String())
	}
	if !strings.Contains(stderr.String(), "held by process") {
		t.Errorf("the child's error does not name the holder: %s", stderr.String())
	}
	s.Close()
	if err := child(t, "lock", dir).Run(); err != nil {
		t.Fatalf("child Open after Close: %v", err)
	}
}
