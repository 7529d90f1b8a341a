package sinkurl_test

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// One URL grammar: every setting a sink URL takes for a scheme, given in
// the driver's own Config.URL (Config.Endpoint for OTLP), is refused at New
// with an error that names the Config field to set instead; the client
// library's own options still pass, in both forms.
func TestOneURLGrammar(t *testing.T) {
	tests := []struct {
		driver string
		base   string
		table  urlparams.Table
		field  string
		new    func(raw string) (sinks.Sink, error)
		pass   string // a client option both forms take
	}{
		{"redissink", "redis://app:s3cr3t@127.0.0.1:6379/0", urlparams.Redis, "URL",
			func(raw string) (sinks.Sink, error) { return newSink(redissink.New(redissink.Config{URL: raw})) }, "pool_size=2"},
		{"rabbitmqsink", "amqp://app:s3cr3t@127.0.0.1:5672/", urlparams.AMQP, "URL",
			func(raw string) (sinks.Sink, error) { return newSink(rabbitmqsink.New(rabbitmqsink.Config{URL: raw})) }, "heartbeat=5"},
		{"natssink", "nats://app:s3cr3t@127.0.0.1:4222", urlparams.NATS, "URL",
			func(raw string) (sinks.Sink, error) { return newSink(natssink.New(natssink.Config{URL: raw})) }, ""},
		{"otelsink", "http://app:s3cr3t@127.0.0.1:4318", urlparams.OTLP, "Endpoint",
			func(raw string) (sinks.Sink, error) { return newSink(otelsink.New(otelsink.Config{Endpoint: raw})) }, ""},
	}
	for _, tt := range tests {
		for _, name := range slices.Sorted(maps.Keys(tt.table)) {
			t.Run(tt.driver+"/"+name, func(t *testing.T) {
				s, err := tt.new(tt.base + "?" + url.Values{name: {"x"}}.Encode())
				want := "not to Config." + tt.field + ": set Config." + tt.table[name] + " instead"
				switch {
				case err == nil:
					s.Close(t.Context())
					t.Fatalf("%s.New took ?%s=x in Config.%s", tt.driver, name, tt.field)
				case !errors.Is(err, sinks.ErrInvalidConfig):
					t.Errorf("error %v does not wrap sinks.ErrInvalidConfig", err)
				case !strings.Contains(err.Error(), want):
					t.Errorf("error %q does not say %q", err, want)
				case strings.Contains(err.Error(), "s3cr3t"):
					t.Errorf("error %q shows the password", err)
				}
			})
		}
		if tt.pass == "" {
			continue
		}
		t.Run(tt.driver+"/client option", func(t *testing.T) {
			s, err := tt.new(tt.base + "?" + tt.pass)
			if err != nil {
				t.Fatalf("Config.%s with ?%s: %v", tt.field, tt.pass, err)
			}
			s.Close(t.Context())
			list, err := sinkurl.Parse(strings.Replace(tt.base, "http://", "otlp+http://", 1) + "?" + tt.pass)
			if err != nil {
				t.Fatalf("sink URL with ?%s: %v", tt.pass, err)
			}
			closeAll(t, list)
		})
	}
}

func newSink[S sinks.Sink](s S, err error) (sinks.Sink, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}
