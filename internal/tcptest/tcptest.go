// Package tcptest runs a small TCP server on the loopback interface for a
// test: a fake backend, or one a test breaks on purpose. It accepts
// connections, serves each with the test's function, and stops everything
// when the test ends.
package tcptest

import (
	"net"
	"sync"
	"testing"
)

// Serve listens on 127.0.0.1 and serves each connection it accepts with
// serve, on a goroutine of its own; it returns the address to dial. When t
// ends it closes the listener and every connection, and waits for each serve
// to return, which serve must do once its connection is closed.
func Serve(t testing.TB, serve func(c net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // the listener was closed
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}
