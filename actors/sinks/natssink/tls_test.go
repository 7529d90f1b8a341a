package natssink_test

import (
	"context"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// startTLSServer runs a nats-server of t's own with JetStream that requires
// TLS, with a certificate of a CA of t's own, and returns its tls:// URL,
// the CA's files, and a JetStream client that trusts the CA.
func startTLSServer(t *testing.T) (string, *servicetest.TLSFiles, jetstream.JetStream) {
	t.Helper()
	bin := servicetest.NATSServer(t)
	files := servicetest.NewTLSFiles(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", filepath.Join(dir, "store"),
		"-l", filepath.Join(dir, "server.log"), "--tls", "--tlscert", files.CertFile, "--tlskey", files.KeyFile)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting nats-server: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "tls://127.0.0.1:" + strconv.Itoa(port)
	var nc *nats.Conn
	for deadline := time.Now().Add(waitTimeout); ; time.Sleep(50 * time.Millisecond) {
		if nc, err = nats.Connect(url, nats.Secure(files.ClientConfig())); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the TLS nats-server on %d does not answer: %v", port, err)
		}
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return url, files, js
}

// TestTLS publishes to a nats-server that requires TLS with a certificate
// a CA of the test's own signed: trusted through Config.CAFile or
// Config.TLS, refused under the system's roots.
func TestTLS(t *testing.T) {
	url, files, js := startTLSServer(t)
	name := servicetest.Name(t, "tls")
	prefix := strings.ToLower(name)
	create := &jetstream.StreamConfig{Name: name, Storage: jetstream.MemoryStorage}
	var want []string
	for _, tc := range []struct {
		name string
		cfg  natssink.Config
	}{
		{"CAFile", natssink.Config{CAFile: files.CAFile}},
		{"TLS", natssink.Config{TLS: files.ClientConfig()}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.URL, cfg.Subject, cfg.CreateStream = url, prefix+".{event_type}", create
			batch := sinktest.MakeEvents(20, "tls")
			if err := write(t, newSink(t, cfg), batch); err != nil {
				t.Fatalf("Write over TLS: %v", err)
			}
			want = append(want, ids(batch)...)
		})
	}
	t.Run("system roots", func(t *testing.T) {
		cfg := natssink.Config{URL: url, Subject: prefix + ".{event_type}", CreateStream: create}
		ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
		defer cancel()
		s := newSink(t, cfg)
		err := s.Write(ctx, sinktest.MakeEvents(3, "tls"))
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("Write to a server whose CA the system does not trust: %v, want a certificate error", err)
		}
		t.Logf("Write with the system's roots: %v", err)
	})
	ts := &testStream{js: js, name: name}
	if got := ids(ts.readEvents(t, len(want))); !slices.Equal(got, want) {
		t.Errorf("the stream holds %v, want %v", got, want)
	}
}
