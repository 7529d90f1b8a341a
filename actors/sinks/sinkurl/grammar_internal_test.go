package sinkurl

import (
	"maps"
	"net/url"
	"slices"
	"testing"

	"github.com/streamll/streamll-go/internal/urlparams"
)

// The tables of internal/urlparams, from which each driver's Config.URL
// learns which settings to refuse and which field to name instead, hold
// exactly the settings this package reads for each scheme (client library
// options passed through aside).
func TestTablesMatchTheParser(t *testing.T) {
	tests := []struct {
		scheme string
		table  urlparams.Table
		read   func(p *params)
	}{
		{"redis", urlparams.Redis, func(p *params) { redisConfig(mustURL(t, "redis://h"), p, redisSchemes["redis"]) }},
		{"amqp", urlparams.AMQP, func(p *params) { amqpConfig(mustURL(t, "amqp://h/"), p) }},
		{"nats", urlparams.NATS, func(p *params) { natsConfig(mustURL(t, "nats://h"), p, "nats") }},
		{"otlp", urlparams.OTLP, func(p *params) { otlpConfig(mustURL(t, "otlp+http://h"), p) }},
		{"terminal", urlparams.Terminal, func(p *params) { terminalConfig(p) }},
	}
	for _, tt := range tests {
		t.Run(tt.scheme, func(t *testing.T) {
			p := newParams(url.Values{}, func(format string, args ...any) { t.Errorf(format, args...) })
			tt.read(p)
			var read []string
			for name := range p.asked {
				if !slices.Contains(urlparams.AMQPOptions, name) {
					read = append(read, name)
				}
			}
			slices.Sort(read)
			if want := slices.Sorted(maps.Keys(tt.table)); !slices.Equal(read, want) {
				t.Errorf("sinkurl reads %v\nthe table lists %v", read, want)
			}
		})
	}
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
