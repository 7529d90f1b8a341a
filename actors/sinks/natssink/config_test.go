package natssink_test

import (
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
)

func TestDefaults(t *testing.T) {
	s, err := natssink.New(natssink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "nats:"+natssink.DefaultStream {
		t.Errorf("Name() = %q", s.Name())
	}
	if got := s.HostOptions().BatchSize; got != natssink.DefaultWindow {
		t.Errorf("BatchSize = %d, want the window, %d", got, natssink.DefaultWindow)
	}
	s2, err := natssink.New(natssink.Config{Options: sinks.Options{BufferSize: 300}})
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.HostOptions().BatchSize; got != 300 {
		t.Errorf("BatchSize with a 300-event buffer = %d, want 300", got)
	}
}

func TestConfigErrors(t *testing.T) {
	const secret = "s3cr3t-pw"
	nc := &nats.Conn{} // never used: New rejects the config first
	tests := []struct {
		name string
		cfg  natssink.Config
		want []string
	}{
		{"unknown placeholder", natssink.Config{Subject: "ai.{customer}"}, []string{"Subject", "unknown placeholder {customer}"}},
		{"empty token", natssink.Config{Subject: "ai..{event_type}"}, []string{"token 2 is empty"}},
		{"trailing dot", natssink.Config{Subject: "ai.{event_type}."}, []string{"token 3 is empty"}},
		{"wildcard", natssink.Config{Subject: "ai.*.{event_type}"}, []string{"token 2 holds '*'"}},
		{"full wildcard", natssink.Config{Subject: "ai.>"}, []string{"'>'"}},
		{"space", natssink.Config{Subject: "ai events.{event_type}"}, []string{"' '"}},
		{"stream name with a dot", natssink.Config{Stream: "ai.events"}, []string{"Stream", `"."`}},
		{"names differ", natssink.Config{Stream: "a", CreateStream: &jetstream.StreamConfig{Name: "b"}}, []string{"differs"}},
		{"negative window", natssink.Config{Window: -1}, []string{"Window -1"}},
		{"negative timeout", natssink.Config{DialTimeout: -1}, []string{"DialTimeout"}},
		{"bad scheme", natssink.Config{URL: "http://u:" + secret + "@localhost:4222"}, []string{`scheme "http"`, "u:xxxxx@"}},
		{"token shown nowhere", natssink.Config{URL: "nats://" + secret + "@localhost:4222/x"}, []string{"no path", "xxxxx@localhost"}},
		{"no host", natssink.Config{URL: "nats://"}, []string{"no host"}},
		{"query", natssink.Config{URL: "nats://localhost:4222?x=1"}, []string{"no query"}},
		{"second of two servers", natssink.Config{URL: "nats://a:4222,ftp://b"}, []string{"server 2 of 2"}},
		{"malformed with credentials", natssink.Config{URL: "nats://u:" + secret + "%zz@h:4222"}, []string{"details withheld"}},
		{"conn and URL", natssink.Config{Conn: nc, URL: "nats://localhost:4222", Password: secret, User: "u"}, []string{"Conn is a connection the caller made; URL, User, Password"}},
		{"conn and TLS", natssink.Config{Conn: nc, TLS: &tls.Config{}}, []string{"TLS apply only"}},
		{"password alone", natssink.Config{Password: secret}, []string{"Password is set without User"}},
		{"token and user", natssink.Config{Token: secret, User: "u"}, []string{"set one"}},
		{"cert without key", natssink.Config{CertFile: "c.pem"}, []string{"CertFile and KeyFile"}},
		{"host options", natssink.Config{Options: sinks.Options{BatchSize: -1}}, []string{"BatchSize -1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := natssink.New(tt.cfg)
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Fatalf("New = %v, want an error wrapping sinks.ErrInvalidConfig", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}

// TestConfigErrorsJoined: every problem is reported at once.
func TestConfigErrorsJoined(t *testing.T) {
	_, err := natssink.New(natssink.Config{URL: "ftp://x", Subject: "a.{nope}", Window: -2})
	for _, want := range []string{"ftp", "{nope}", "Window -2"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not report %q", err, want)
		}
	}
}
