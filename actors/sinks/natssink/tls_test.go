package natssink_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestTLS publishes to a nats-server that requires TLS with a certificate
// a CA of the test's own signed: trusted through Config.CAFile or
// Config.TLS, refused under the system's roots.
func TestTLS(t *testing.T) {
	url, files := servicetest.StartNATSTLSServer(t)
	nc, err := nats.Connect(url, nats.Secure(files.ClientConfig()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
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
