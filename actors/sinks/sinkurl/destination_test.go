package sinkurl_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
	"github.com/streamll/streamll-go/bus"
)

// Every driver says where it writes, so that a bus refuses a second sink
// left at the same destination (the same defaults, typically), and takes
// two that differ in where they write, or that Options.Name tells apart. The
// buses are never written to: nothing connects.
func TestDestinationsCollide(t *testing.T) {
	tests := []struct {
		list string
		want string // in bus.New's error; "": no error
	}{
		{"redis://localhost:6379,redis://:secret@localhost:6379?pool_size=2", "writes to redis://localhost:6379 stream streamll_events, as Sinks[0] does"},
		{"redis://localhost:6379?stream=a,redis://localhost:6379?stream=b", ""},
		{"redis://localhost:6379/0,redis://localhost:6379/1", ""},
		{"redis://localhost:6379,redis://localhost:6379?name=copy", ""},
		{"amqp://guest:guest@localhost:5672/,amqp://other:pw@localhost:5672/", "writes to amqp://localhost:5672/ exchange streamll routing key streamll.{event_type}"},
		{"amqp://localhost:5672/?routing_key=a.{event_type},amqp://localhost:5672/?routing_key=b.{event_type}", ""},
		{"nats://127.0.0.1:4222?addr=127.0.0.1:4223,nats://127.0.0.1:4223?addr=127.0.0.1:4222", "writes to nats://127.0.0.1:4222,nats://127.0.0.1:4223 stream streamll subject streamll.{event_type}"},
		{"otlp+http://localhost:4318,otlp+http://user:pw@localhost:4318", "writes to http://localhost:4318/v1/traces"},
		{"terminal,terminal", "writes to standard output"},
		{"terminal,terminal?output=stderr", ""},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			list, err := sinkurl.Parse(tt.list)
			if err != nil {
				t.Fatal(err)
			}
			b, err := bus.New(bus.Config{Sinks: list})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New = %v", err)
				}
				if err := b.Close(context.Background()); err != nil {
					t.Fatal(err)
				}
				return
			}
			closeAll(t, list)
			switch {
			case !errors.Is(err, bus.ErrInvalidConfig):
				t.Fatalf("New = %v, want ErrInvalidConfig", err)
			case !strings.Contains(err.Error(), tt.want):
				t.Errorf("error %q does not say %q", err, tt.want)
			case strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "pw@"):
				t.Errorf("error %q shows a password", err)
			}
		})
	}
}
