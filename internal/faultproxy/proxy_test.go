package faultproxy_test

import (
	"bufio"
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
	"github.com/streamll/streamll-go/internal/tcptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait in these tests.
const waitTimeout = 5 * time.Second

// echoServer echoes every byte back and records what it received.
type echoServer struct {
	addr string
	mu   sync.Mutex
	got  bytes.Buffer
}

func newEchoServer(t *testing.T) *echoServer {
	t.Helper()
	e := &echoServer{}
	e.addr = tcptest.Serve(t, e.serve)
	return e
}

func (e *echoServer) serve(c net.Conn) {
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
	p := faultproxy.New(t, e.addr)
	c := dial(t, p)
	if err := roundTrip(c, "warm"); err != nil {
		t.Fatal(err)
	}
	return e, p, c
}

func TestForwards(t *testing.T) {
	e := newEchoServer(t)
	p := faultproxy.New(t, e.addr)
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

// CutAfter lets exactly n more bytes of the server's replies through, then
// cuts every connection, until Restore.
func TestCutAfter(t *testing.T) {
	_, p, c := connected(t)
	p.CutAfter(10)
	if err := c.SetDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(c, "0123456789abcdefghij"); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(c)
	if string(got) != "0123456789" || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read %q (%v) through CutAfter(10), want the first 10 bytes, then the cut", got, err)
	}
	if err := readFails(dial(t, p)); err != nil {
		t.Errorf("a new connection after the cut: %v", err)
	}
	p.Restore()
	if err := roundTrip(dial(t, p), "after"); err != nil {
		t.Errorf("after Restore: %v", err)
	}
}

// lineFrames makes newline-terminated lines the frames of a framed proxy.
func lineFrames(b []byte) int { return bytes.LastIndexByte(b, '\n') + 1 }

// A framed proxy holds an incomplete frame of the server's until it is
// whole, so that Inject lands between two frames, never inside one.
func TestInjectBetweenFrames(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rest := make(chan struct{})
	served := make(chan error, 1)
	go func() {
		s, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		defer s.Close()
		if _, err = io.WriteString(s, "one\ntw"); err == nil {
			<-rest
			_, err = io.WriteString(s, "o\nthree\n")
		}
		served <- err
	}()
	p := faultproxy.NewFramed(t, ln.Addr().String(), lineFrames)
	c := dial(t, p)
	if err := c.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(c)
	first, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	p.Inject([]byte("injected\n")) // while "two" is half sent, or not yet
	close(rest)
	lines := []string{first}
	for len(lines) < 4 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %q: %v", lines, err)
		}
		lines = append(lines, line)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(lines, ""); got != "one\ninjected\ntwo\nthree\n" {
		t.Errorf("the client read %q, want the injection between one and two", got)
	}
}
