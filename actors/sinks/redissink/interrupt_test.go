//go:build linux

package redissink

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

// TestOwnConnectionsAreRawAndInterruptible dials through the sink's dialer:
// the connection it hands go-redis reads the socket with raw system calls
// (not the *net.TCPConn package net made), and interrupt still ends a Read
// blocked on it, as Close relies on when it gives up on a Write.
func TestOwnConnectionsAreRawAndInterruptible(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			defer c.Close()
			_, _ = c.Read(make([]byte, 1)) // hold the connection open, send nothing
		}
	}()
	cs := newConns()
	var d net.Dialer
	nc, err := cs.dialer(d.DialContext)(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	tc, ok := nc.(*trackedConn)
	if !ok {
		t.Fatalf("dialer returned %T, want a *trackedConn", nc)
	}
	if _, plain := tc.Conn.(*net.TCPConn); plain {
		t.Fatal("the tracked connection is a plain *net.TCPConn: its reads and writes would wake the runtime's monitor")
	}

	read := make(chan error, 1)
	go func() {
		_, err := nc.Read(make([]byte, 8))
		read <- err
	}()
	cs.interrupt()
	select {
	case err := <-read:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("interrupted read: %v, want a deadline error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("read still blocked 10s after interrupt")
	}
}
