package consume_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/consume"
)

// TestOpen reads each kind of URL back, including a sink's own URL with the
// settings that only configure the sink.
func TestOpen(t *testing.T) {
	ru, _, key := redisStream(t)
	au, exchange, _ := amqpNames(t)
	nu, _, _, prefix := natsStream(t)
	tests := []struct {
		name, url, want string
	}{
		{"redis", ru + "?stream=" + key, "redis stream " + key + " on localhost:6379"},
		{"a redis sink's URL", ru + "/0?stream=" + key + "&maxlen=1000&failure_threshold=5&recovery_timeout=30s&client_name=tail",
			"redis stream " + key},
		{"redis group", ru + "?stream=" + key + "&group=g&consumer=c&claim_idle=1m", "(group g)"},
		{"rabbitmq exchange", au + "?exchange=" + exchange + "&routing_key=loan.{operation}&heartbeat=5",
			"rabbitmq exchange " + exchange + " (private queue, #)"},
		{"nats", nu + "?subject=" + prefix + ".>", "nats stream CONSUME_TestOpen"},
		{"a nats sink's URL", nu + "?subject=" + prefix + ".>&window=50&create&replicas=1&dial_timeout=2s&batch=100",
			"nats stream CONSUME_TestOpen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := consume.Open(t.Context(), tt.url, consume.Options{})
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer c.Close()
			if !strings.Contains(c.String(), tt.want) {
				t.Errorf("String() = %q, want it to contain %q", c.String(), tt.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{"no scheme", "localhost:6379", "want redis://"},
		{"unknown scheme", "kafka://host", `unknown scheme "kafka://"`},
		{"unknown redis option", "redis://:s3cret@127.0.0.1:1?strem=x", "strem"},
		{"unknown amqp parameter", "amqp://app:s3cret@127.0.0.1:1/?exchange=x&exchnge=y", `unknown parameter "exchnge"`},
		{"unknown nats parameter", "nats://127.0.0.1:1?durabel=x", `unknown parameter "durabel"`},
		{"bad duration", "redis://127.0.0.1:1?group=g&claim_idle=soon", "claim_idle"},
		{"twice", "amqp://127.0.0.1:1/?queue=a&queue=b", `"queue" is given 2 times`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := consume.Open(t.Context(), tt.url, consume.Options{})
			if err == nil {
				c.Close()
				t.Fatal("Open = nil error")
			}
			if !errors.Is(err, consume.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Open = %v, want ErrInvalidConfig containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
