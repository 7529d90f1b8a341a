package sinkurl_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/otlptest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// Every network driver logs through the bus's logger, under the name the
// bus gives it in Health, without a name of its own in the line: one logger
// for the whole bus, and one name per sink.
func TestDriversLogThroughTheBus(t *testing.T) {
	tests := []struct {
		driver string
		spec   func(t *testing.T) string // the sink's spec, with its cleanup registered
		want   string                    // a line the driver logs
	}{
		{"redis", func(t *testing.T) string {
			rawURL := servicetest.RedisURL(t)
			key := servicetest.Name(t, "logs")
			opts, err := redis.ParseURL(rawURL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				c := redis.NewClient(opts)
				c.Del(context.Background(), key)
				c.Close()
			})
			return withSettings(rawURL, "stream="+key)
		}, "redissink: writing to Redis"},
		{"rabbitmq", func(t *testing.T) string {
			rawURL := servicetest.RabbitMQURL(t)
			exchange := servicetest.Name(t, "logs")
			t.Cleanup(func() {
				if conn, err := amqp.Dial(rawURL); err == nil {
					if ch, err := conn.Channel(); err == nil {
						_ = ch.ExchangeDelete(exchange, false, false)
					}
					conn.Close()
				}
			})
			return withSettings(rawURL, "exchange="+exchange)
		}, "rabbitmqsink: connected"},
		{"nats", func(t *testing.T) string {
			rawURL := servicetest.NATSURL(t)
			stream := servicetest.Name(t, "logs")
			t.Cleanup(func() {
				if nc, err := nats.Connect(rawURL); err == nil {
					if js, err := jetstream.New(nc); err == nil {
						ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
						_ = js.DeleteStream(ctx, stream)
						cancel()
					}
					nc.Close()
				}
			})
			return withSettings(rawURL, "stream="+stream+"&subject="+strings.ToLower(stream)+".{event_type}&create&storage=memory")
		}, "natssink: connected"},
		{"otlp", func(t *testing.T) string {
			rcv := otlptest.New(t)
			rcv.Answer(func(*http.Request) otlptest.Reply { return otlptest.Reply{Rejected: 1, Message: "no thanks"} })
			return "otlp+" + rcv.URL()
		}, "otelsink: the receiver rejected spans"},
	}
	for _, tt := range tests {
		t.Run(tt.driver, func(t *testing.T) {
			list, err := sinkurl.Parse(withSettings(tt.spec(t), "name=audit"))
			if err != nil {
				t.Fatal(err)
			}
			logs, err := os.Create(filepath.Join(t.TempDir(), "log")) // a file: the drivers log from goroutines of their own
			if err != nil {
				t.Fatal(err)
			}
			defer logs.Close()
			b, err := bus.New(bus.Config{Sinks: list, Logger: slog.New(slog.NewTextHandler(logs, nil))})
			if err != nil {
				t.Fatal(err)
			}
			_, ex := b.Start(context.Background(), bus.Op{Operation: "llm_call"})
			ex.End(nil)
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			if err := b.Close(ctx); err != nil {
				t.Fatal(err)
			}
			text, err := os.ReadFile(logs.Name())
			if err != nil {
				t.Fatal(err)
			}
			var line string
			for l := range strings.SplitSeq(string(text), "\n") {
				if strings.Contains(l, tt.want) {
					line = l
				}
			}
			switch {
			case line == "":
				t.Fatalf("the bus's logger has no line %q:\n%s", tt.want, text)
			case !strings.Contains(line, " sink=audit") || strings.Count(line, "sink=") != 1:
				t.Errorf("the line does not name the sink once, as Health does (audit): %s", line)
			}
		})
	}
}
