//go:build linux

package redissink

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"os"
	"testing"
	"time"

	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestOwnConnectionsAreRawAndInterruptible dials through the sink's dialer,
// in plain TCP and under TLS: the socket beneath what it hands go-redis
// reads and writes with raw system calls (not the *net.TCPConn package net
// made), and interrupt still ends a Read blocked on it, as Close relies on
// when it gives up on a Write.
func TestOwnConnectionsAreRawAndInterruptible(t *testing.T) {
	files := servicetest.NewTLSFiles(t)
	cert, err := tls.LoadX509KeyPair(files.CertFile, files.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		client *tls.Config
		server *tls.Config
	}{
		{"tcp", nil, nil},
		{"tls", withServerName(files.ClientConfig(), "127.0.0.1"), &tls.Config{Certificates: []tls.Certificate{cert}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			if tc.server != nil {
				ln = tls.NewListener(ln, tc.server)
			}
			served := make(chan struct{})
			go func() {
				defer close(served)
				if c, err := ln.Accept(); err == nil {
					defer c.Close()
					_, _ = c.Read(make([]byte, 1)) // the TLS handshake, then hold the connection open, send nothing
				}
			}()
			defer func() { <-served }()
			cs := newConns()
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			nc, err := cs.dialer(tc.client)(ctx, "tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			tracked, ok := nc.(*trackedConn)
			if !ok {
				t.Fatalf("dialer returned %T, want a *trackedConn", nc)
			}
			socket := tracked.Conn
			if tc.client != nil {
				tlsConn, ok := socket.(*tls.Conn)
				if !ok {
					t.Fatalf("the tracked connection is a %T, want a *tls.Conn", socket)
				}
				if len(tlsConn.ConnectionState().VerifiedChains) == 0 {
					t.Error("the server's certificate was not verified")
				}
				socket = tlsConn.NetConn()
			}
			if _, plain := socket.(*net.TCPConn); plain {
				t.Fatal("the socket is a plain *net.TCPConn: its reads and writes would wake the runtime's monitor")
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
		})
	}
}

func withServerName(c *tls.Config, name string) *tls.Config {
	c.ServerName = name
	return c
}
