package redissink_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// password is planted in URLs to check that no error shows it.
const password = "hunter2-Pa55"

func TestNewAcceptsURLs(t *testing.T) {
	tests := []struct {
		name string
		cfg  redissink.Config
	}{
		{"zero value", redissink.Config{}},
		{"plain", redissink.Config{URL: "redis://localhost:6379"}},
		{"no port", redissink.Config{URL: "redis://localhost"}},
		{"tls", redissink.Config{URL: "rediss://redis.example.com:6380"}},
		{"user and password", redissink.Config{URL: "redis://app:" + password + "@localhost:6379"}},
		{"password only", redissink.Config{URL: "redis://:" + password + "@localhost:6379"}},
		{"database", redissink.Config{URL: "redis://localhost:6379/3"}},
		{"client options", redissink.Config{URL: "redis://localhost:6379/0?dial_timeout=3s&pool_size=4"}},
		{"unix socket", redissink.Config{URL: "unix:///run/redis.sock?db=2"}},
		{"cluster seeds", redissink.Config{URL: "redis://a:" + password + "@10.0.0.1:7000?addr=10.0.0.2:7000&addr=10.0.0.3:7000", Cluster: true}},
		{"template", redissink.Config{StreamKey: "events:{event_type}:{tag:customer_id}"}},
		{"trimming and timeout", redissink.Config{MaxLen: 10000}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redissink.New(tt.cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if err := s.Close(context.Background()); err != nil {
				t.Fatalf("Close: %v", err)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { client.Close() })
	tests := []struct {
		name    string
		cfg     redissink.Config
		wantErr string
	}{
		{"bad scheme", redissink.Config{URL: "http://app:" + password + "@localhost:6379"}, `scheme "http"`},
		{"no scheme", redissink.Config{URL: "localhost:6379"}, "scheme"},
		{"garbage", redissink.Config{URL: "::not a url::"}, "not a valid URL"},
		{"garbage with credentials", redissink.Config{URL: "redis://app:" + password + "@host:port%zz"}, "not a valid URL"},
		{"bad port with credentials", redissink.Config{URL: "redis://app:" + password + "@localhost:notaport"}, "not a valid URL"},
		{"bad database", redissink.Config{URL: "redis://app:" + password + "@localhost:6379/three"}, "invalid database number"},
		{"database path too deep", redissink.Config{URL: "redis://localhost:6379/1/2"}, "invalid URL path"},
		{"unknown option", redissink.Config{URL: "redis://app:" + password + "@localhost:6379?colour=blue"}, "unexpected option"},
		{"no host", redissink.Config{URL: "redis://"}, "no host"},
		{"port out of range", redissink.Config{URL: "redis://app:" + password + "@127.0.0.1:99999/0"}, `port "99999" is outside 1-65535`},
		{"port zero, cluster", redissink.Config{URL: "redis://127.0.0.1:0", Cluster: true}, `port "0" is outside 1-65535`},
		{"cluster over unix", redissink.Config{URL: "unix:///run/redis.sock", Cluster: true}, "not a unix socket"},
		{"client and URL", redissink.Config{Client: client, URL: "redis://localhost:6379"}, "either Client or URL"},
		{"client and cluster", redissink.Config{Client: client, Cluster: true}, "Cluster applies to URL"},
		{"client and TLS", redissink.Config{Client: client, TLS: &tls.Config{}}, "TLS applies to URL"},
		{"TLS on redis://", redissink.Config{URL: "redis://localhost:6379", TLS: &tls.Config{}}, "use rediss://"},
		{"TLS by default URL", redissink.Config{TLS: &tls.Config{}}, "use rediss://"},
		{"TLS over unix", redissink.Config{URL: "unix:///run/redis.sock", TLS: &tls.Config{}}, "use rediss://"},
		{"negative MaxLen", redissink.Config{MaxLen: -1}, "MaxLen -1"},
		{"unknown placeholder", redissink.Config{StreamKey: "events:{customer}"}, "unknown placeholder {customer}"},
		{"bad host options", redissink.Config{Options: sinks.Options{BufferSize: -1}}, "BufferSize -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := redissink.New(tt.cfg)
			if err == nil {
				s.Close(context.Background())
				t.Fatal("New succeeded")
			}
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap sinks.ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not say %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}
