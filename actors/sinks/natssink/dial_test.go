//go:build linux

package natssink

import (
	"context"
	"net"
	"testing"
)

// TestOwnConnectionsAreRaw: the client the sink dials itself connects
// through rawDialer, whose socket is not the *net.TCPConn package net made
// (its reads and writes would wake the runtime's monitor).
func TestOwnConnectionsAreRaw(t *testing.T) {
	s, err := New(Config{URL: "nats://127.0.0.1:4222", Stream: "RAW", Subject: "raw.events"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	o, err := s.options()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := o.CustomDialer.(*rawDialer)
	if !ok {
		t.Fatalf("the client's dialer is %T, want a *rawDialer", o.CustomDialer)
	}
	if d.Timeout != s.cfg.DialTimeout {
		t.Errorf("dial timeout %v, want DialTimeout %v", d.Timeout, s.cfg.DialTimeout)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	nc, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if _, plain := nc.(*net.TCPConn); plain {
		t.Fatal("the dialer made a plain *net.TCPConn")
	}
}
