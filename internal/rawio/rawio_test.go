//go:build linux

package rawio

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// pair returns a wrapped client connection and the server's end of it, over
// TCP on the loopback interface.
func pair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	server = <-accepted
	if server == nil {
		t.Fatal("accept failed")
	}
	client = Wrap(nc)
	if _, ok := client.(*conn); !ok {
		t.Fatalf("Wrap(%T) = %T, want the raw connection", nc, client)
	}
	t.Cleanup(func() { client.Close(); server.Close() })
	return client, server
}

// TestRoundTripsEveryByte writes far more than a socket buffer holds (so
// that writes go part way and wait on the poller) while the server echoes
// it back, and reads it all.
func TestRoundTripsEveryByte(t *testing.T) {
	client, server := pair(t)
	go func() { _, _ = io.Copy(server, server) }()
	want := make([]byte, 8<<20)
	for i := range want {
		want[i] = byte(i * 7)
	}
	wrote := make(chan error, 1)
	go func() {
		n, err := client.Write(want)
		if err == nil && n != len(want) {
			err = io.ErrShortWrite
		}
		wrote <- err
	}()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(client, got); err != nil {
		t.Fatal(err)
	}
	if err := <-wrote; err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("the bytes read back differ from those written")
	}
}

func TestEOFWhenThePeerCloses(t *testing.T) {
	client, server := pair(t)
	if _, err := server.Write([]byte("bye")); err != nil {
		t.Fatal(err)
	}
	server.Close()
	got, err := io.ReadAll(client)
	if err != nil || string(got) != "bye" {
		t.Fatalf("read %q, %v; want bye and EOF", got, err)
	}
	if n, err := client.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("read after EOF: %d, %v", n, err)
	}
}

func TestDeadlinesAreTheConnections(t *testing.T) {
	client, _ := pair(t)
	if err := client.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, err := client.Read(make([]byte, 8))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the deadline: %v, want a timeout", err)
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "read" || op.Net != "tcp" {
		t.Fatalf("error %#v is not a net.OpError for a tcp read", err)
	}
}

func TestCloseEndsABlockedRead(t *testing.T) {
	client, _ := pair(t)
	read := make(chan error, 1)
	go func() {
		_, err := client.Read(make([]byte, 8))
		read <- err
	}()
	time.Sleep(10 * time.Millisecond) // let the Read wait on the poller; either order passes
	client.Close()
	select {
	case err := <-read:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("read on a closed connection: %v, want net.ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read still blocked 10s after Close")
	}
}

// TestWriteToAResetPeer fails with the system's error, as package net would
// report it, and does not kill the process with SIGPIPE.
func TestWriteToAResetPeer(t *testing.T) {
	client, server := pair(t)
	if err := server.(*net.TCPConn).SetLinger(0); err != nil {
		t.Fatal(err)
	}
	server.Close() // RST: the next writes fail
	var err error
	for range 100 {
		if _, err = client.Write(make([]byte, 64<<10)); err != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	var sys *os.SyscallError
	if !errors.As(err, &sys) || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		t.Fatalf("write to a reset peer: %v, want ECONNRESET or EPIPE", err)
	}
}

func TestWrapKeepsWhatItCannotMakeRaw(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if got := Wrap(a); got != a {
		t.Errorf("Wrap(net.Pipe) = %T, want the pipe itself", got)
	}
	path := filepath.Join(t.TempDir(), "s")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		if c, err := ln.Accept(); err == nil {
			_, _ = io.Copy(c, c)
			c.Close()
		}
	}()
	uc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	c := Wrap(uc)
	defer c.Close()
	if _, ok := c.(*conn); !ok {
		t.Fatalf("Wrap(unix socket) = %T, want the raw connection", c)
	}
	if _, err := c.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	if _, err := io.ReadFull(c, got); err != nil || string(got) != "ping" {
		t.Fatalf("unix echo: %q, %v", got, err)
	}
}
