package servicetest

import (
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// NATSServer returns the path of the nats-server command, for tests that
// start servers of their own; where it is missing the test fails when
// services are required and skips otherwise.
func NATSServer(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("nats-server")
	if err != nil {
		skipOrFail(t, "nats-server is not on PATH; install it (Debian: apt-get install nats-server) to run this test")
	}
	return path
}

// StartNATSTLSServer starts a nats-server of t's own, with JetStream and a
// store in t's temporary directory, that requires TLS with a certificate
// of a CA of t's own (see NewTLSFiles), and stops it when t ends. It returns
// the server's tls:// URL and the CA's files. It skips t, or fails it under
// STREAMLL_REQUIRE_SERVICES=1, when nats-server is not on PATH or does not
// start.
func StartNATSTLSServer(t testing.TB) (string, *TLSFiles) {
	t.Helper()
	bin := NATSServer(t)
	files := NewTLSFiles(t)
	dir := t.TempDir()
	var err error
	for range 5 { // a port found free can be taken before nats-server binds it
		var addr string
		if addr, err = freeLoopbackAddr(); err != nil {
			break
		}
		_, port, _ := net.SplitHostPort(addr)
		cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", port, "-js", "-sd", filepath.Join(dir, "store"),
			"-l", filepath.Join(dir, "server.log"), "--tls", "--tlscert", files.CertFile, "--tlskey", files.KeyFile)
		if err = cmd.Start(); err != nil {
			break
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		stop := func() { _ = cmd.Process.Kill(); <-done }
		u := &url.URL{Scheme: "tls", Host: addr}
		if err = awaitAnswer(natsProtocol, u, done); err == nil {
			t.Cleanup(stop)
			return u.String(), files
		}
		stop()
	}
	skipOrFail(t, "starting a nats-server of the test's own: "+err.Error()+" (log in "+dir+")")
	return "", nil
}

// awaitAnswer waits up to 10 s for the server at u, started as a process
// whose exit closes done, to answer in p's protocol.
func awaitAnswer(p protocol, u *url.URL, done <-chan struct{}) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := probeOnce(p, u)
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("the server on %s exited", u.Host)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server on %s does not answer: %w", u.Host, err)
		}
	}
}
