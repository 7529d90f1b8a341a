package faultproxy_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/internal/faultproxy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait in these tests.
const waitTimeout = 5 * time.Second

// echoServer echoes every byte back and records what it received.
type echoServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	got  bytes.Buffer
	conn []net.Conn
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoServer{ln: ln}
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.mu.Lock()
			e.conn = append(e.conn, c)
			e.mu.Unlock()
			e.wg.Add(1)
			go e.serve(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		e.mu.Lock()
		for _, c := range e.conn {
			c.Close()
		}
		e.mu.Unlock()
		e.wg.Wait()
	})
	return e
}

func (e *echoServer) serve(c net.Conn) {
	defer e.wg.Done()
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		e.mu.Lock()
		e.got.Write(buf[:n])
		e.mu.Unlock()
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func (e *echoServer) received() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.got.String()
}

func dial(t *testing.T, p *faultproxy.Proxy) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr(), waitTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// roundTrip sends msg and reads its echo.
func roundTrip(c net.Conn, msg string) error {
	if err := c.SetDeadline(time.Now().Add(waitTimeout)); err != nil {
		return err
	}
	if _, err := io.WriteString(c, msg); err != nil {
		return err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return err
	}
	if string(buf) != msg {
		return fmt.Errorf("echo %q, want %q", buf, msg)
	}
	return nil
}

// readFails reports whether a read on c ends in an error other than a
// timeout within waitTimeout: the connection was closed by the proxy.
func readFails(c net.Conn) error {
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		return err
	}
	n, err := c.Read(make([]byte, 1))
	switch {
	case err == nil:
		return fmt.Errorf("read %d bytes from a cut connection", n)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("read timed out instead of failing: %w", err)
	}
	return nil
}

// eventually polls cond until it holds or waitTimeout passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connected starts an echo server behind a proxy and returns them with a
// client connection that has completed one round trip ("warm").
func connected(t *testing.T) (*echoServer, *faultproxy.Proxy, net.Conn) {
	t.Helper()
	e := newEchoServer(t)
	p := faultproxy.New(t, e.ln.Addr().String())
	c := dial(t, p)
	if err := roundTrip(c, "warm"); err != nil {
		t.Fatal(err)
	}
	return e, p, c
}

func TestForwards(t *testing.T) {
	e := newEchoServer(t)
	p := faultproxy.New(t, e.ln.Addr().String())
	c := dial(t, p)
	for i := range 3 {
		if err := roundTrip(c, fmt.Sprintf("hello %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	big := strings.Repeat("x", 3<<20) // larger than what the proxy holds at once
	if err := roundTripLarge(c, big); err != nil {
		t.Fatal(err)
	}
}

// roundTripLarge writes msg while reading its echo, as a client that does not
// deadlock against a full window must.
func roundTripLarge(c net.Conn, msg string) error {
	if err := c.SetDeadline(time.Now().Add(waitTimeout)); err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() {
		_, err := io.WriteString(c, msg)
		werr <- err
	}()
	buf := make([]byte, len(msg))
	_, rerr := io.ReadFull(c, buf)
	if err := errors.Join(<-werr, rerr); err != nil {
		return err
	}
	if string(buf) != msg {
		return errors.New("large echo differs")
	}
	return nil
}

func TestCutAndRestore(t *testing.T) {
	_, p, before := connected(t)

	p.Cut()
	if err := readFails(before); err != nil {
		t.Errorf("existing connection after Cut: %v", err)
	}
	during := dial(t, p) // the kernel accepts; the proxy closes it at once
	if err := readFails(during); err != nil {
		t.Errorf("new connection during Cut: %v", err)
	}
	if n := p.Conns(); n != 0 {
		t.Errorf("Conns() = %d during Cut, want 0", n)
	}

	p.Restore()
	after := dial(t, p)
	if err := roundTrip(after, "after"); err != nil {
		t.Fatalf("after Restore: %v", err)
	}
}

func TestFreezeHoldsAndRestoreDelivers(t *testing.T) {
	e, p, c := connected(t)

	p.Freeze()
	if _, err := io.WriteString(c, "held"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(make([]byte, 4)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read during Freeze = %d, %v; want a timeout", n, err)
	}
	if got := e.received(); got != "warm" {
		t.Fatalf("server received %q during Freeze, want only %q", got, "warm")
	}
	newConn := dial(t, p) // accepted, but frozen too
	if _, err := io.WriteString(newConn, "new"); err != nil {
		t.Fatal(err)
	}

	p.Restore()
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "held" {
		t.Fatalf("after Restore read %q, %v; want the held bytes echoed", buf, err)
	}
	if err := newConn.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadFull(newConn, buf[:3]); err != nil || string(buf[:3]) != "new" {
		t.Fatalf("connection made during Freeze read %q, %v after Restore", buf[:3], err)
	}
}

func TestFreezeDropsWhatAClosedSenderHeld(t *testing.T) {
	e, p, c := connected(t)
	p.Freeze()
	if _, err := io.WriteString(c, "abandoned"); err != nil {
		t.Fatal(err)
	}
	c.Close()
	eventually(t, "the proxy to drop the closed connection", func() bool { return p.Conns() == 0 })
	p.Restore()

	next := dial(t, p)
	if err := roundTrip(next, "next"); err != nil {
		t.Fatal(err)
	}
	if got := e.received(); strings.Contains(got, "abandoned") {
		t.Fatalf("server received %q: bytes of a connection closed during Freeze were delivered", got)
	}
}

func TestCloseIsIdempotentAndStopsForwarding(t *testing.T) {
	_, p, c := connected(t)
	p.Close()
	p.Close()
	if err := readFails(c); err != nil {
		t.Errorf("connection after Close: %v", err)
	}
	if _, err := net.DialTimeout("tcp", p.Addr(), waitTimeout); err == nil {
		t.Error("dial after Close succeeded")
	}
}

// fatalRecorder stands in for a testing.TB to observe New's refusals.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (f *fatalRecorder) Helper() {}

func (f *fatalRecorder) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }

func TestNewRefusesNonLoopbackTargets(t *testing.T) {
	tests := []struct {
		name   string
		target string
	}{
		{"private address", "10.0.0.1:6379"},
		{"public address", "192.0.2.1:6379"},
		{"host name", "redis.example:6379"},
		{"no port", "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fatalRecorder{TB: t}
			if p := faultproxy.New(rec, tt.target); p != nil {
				t.Fatalf("New(%q) returned a proxy", tt.target)
			}
			if rec.msg == "" {
				t.Fatalf("New(%q) did not fail the test", tt.target)
			}
			if p, err := faultproxy.Start(tt.target); p != nil || err == nil {
				t.Fatalf("Start(%q) = %v, %v; want an error", tt.target, p, err)
			}
		})
	}
}
