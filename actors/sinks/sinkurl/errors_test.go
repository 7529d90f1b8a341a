package sinkurl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
)

// secret is the password of every URL in the invalid-input cases; no error
// may contain it.
const secret = "s3cr3t"

// TestParseInvalid covers every kind of invalid input. Each case's error
// must wrap sinks.ErrInvalidConfig (every line of it), say what is wrong,
// build no sink, and never contain the password.
func TestParseInvalid(t *testing.T) {
	cases := []struct {
		name string
		list string
		want []string // substrings of the error, in any order
	}{
		{"empty list", "", []string{"sinkurl: no sinks listed (write none for no sinks)"}},
		{"blank list", " \t ", []string{"no sinks listed"}},
		{"empty item", "terminal,,redis://app:s3cr3t@127.0.0.1", []string{"sinkurl: item 2: empty item"}},
		{"trailing comma", "redis://app:s3cr3t@127.0.0.1,", []string{"item 2: empty item"}},
		{"none among others", "none,redis://app:s3cr3t@127.0.0.1", []string{`item 1 (none): "none" cannot be combined`}},
		{"unknown scheme", "kafka://app:s3cr3t@127.0.0.1:9092", []string{`item 1 (kafka://app:xxxxx@127.0.0.1:9092): unknown sink "kafka://": want terminal`}},
		{"unknown word", "termnal", []string{`item 1 (termnal): unknown sink "termnal"`}},
		{"no scheme, credentials", "app:s3cr3t@127.0.0.1:6379", []string{"item 1: unknown sink: want terminal"}},
		{"unparseable with credentials", "redis://app:s3cr3t/x@127.0.0.1", []string{"item 1 (redis://…): not a valid URL (details withheld"}},
		{"unparseable without credentials", "redis://[::1", []string{"item 1 (redis://[::1): not a valid URL: missing ']' in host"}},
		{"bare hash", "amqp://app:s3cr3t@127.0.0.1/?queue=q&binding_key=loan.#", []string{"'#' must be written %23"}},
		{"hash in password", "redis://app:s3#cr3t@127.0.0.1", []string{"item 1 (redis://…): '#' must be written %23"}},
		{"malformed escape", "redis://app:s3cr3t@127.0.0.1?stream=%zz", []string{`(redis://app:xxxxx@127.0.0.1?stream=%zz): the settings after '?' are malformed`}},
		{"unknown redis parameter", "redis://app:s3cr3t@127.0.0.1/0?strem=x", []string{
			`sinkurl: item 1 (redis://app:xxxxx@127.0.0.1/0?strem=x): unknown parameter "strem" (neither a sinkurl parameter nor a go-redis client option)`,
		}},
		{"go-redis option of another mode", "redis+cluster://app:s3cr3t@127.0.0.1?db=1", []string{`unknown parameter "db"`}},
		{"bad go-redis value", "redis://app:s3cr3t@127.0.0.1?dial_timeout=soon", []string{"parameter dial_timeout: redis: invalid dial_timeout duration"}},
		{"bad go-redis boolean", "rediss://app:s3cr3t@127.0.0.1?skip_verify=perhaps", []string{"parameter skip_verify: redis: invalid skip_verify boolean"}},
		{"unknown amqp parameter", "amqp://app:s3cr3t@127.0.0.1/?exchnage=audit", []string{`unknown parameter "exchnage"`}},
		{"unknown terminal parameter", "terminal?colour=never", []string{`item 1 (terminal?colour=never): unknown parameter "colour"`}},
		{"parameter twice", "redis://app:s3cr3t@127.0.0.1?buffer=1&buffer=2", []string{`parameter "buffer" is given 2 times`}},
		{"not a number", "redis://app:s3cr3t@127.0.0.1?buffer=lots", []string{`parameter buffer="lots" is not a whole number`}},
		{"zero size", "redis://app:s3cr3t@127.0.0.1?batch=0", []string{"parameter batch=0 is below its minimum 1"}},
		{"negative retries", "amqp://app:s3cr3t@127.0.0.1/?max_retries=-1", []string{"parameter max_retries=-1 is below its minimum 0"}},
		{"negative maxlen", "redis://app:s3cr3t@127.0.0.1?maxlen=-5", []string{"parameter maxlen=-5 is below its minimum 0"}},
		{"duration without unit", "redis://app:s3cr3t@127.0.0.1?recovery_timeout=30", []string{`parameter recovery_timeout="30" is not a duration (write a number with a unit`}},
		{"zero duration", "amqp://app:s3cr3t@127.0.0.1/?write_timeout=0s", []string{"parameter write_timeout=0s must be positive"}},
		{"negative duration", "redis://app:s3cr3t@127.0.0.1?write_timeout=-1s", []string{"parameter write_timeout=-1s must be positive"}},
		{"a write timeout of the driver's", "redis://app:s3cr3t@127.0.0.1?timeout=1s,amqp://h/?confirm_timeout=1s,nats://h?ack_timeout=1s,otlp+http://h?timeout=1s", []string{
			`item 1 (redis://app:xxxxx@127.0.0.1?timeout=1s): parameter "timeout" is gone: write_timeout (Options.WriteTimeout) bounds each write`,
			`item 2 (amqp://h/?confirm_timeout=1s): parameter "confirm_timeout" is gone: write_timeout`,
			`item 3 (nats://h?ack_timeout=1s): parameter "ack_timeout" is gone: write_timeout`,
			`item 4 (otlp+http://h?timeout=1s): parameter "timeout" is gone: write_timeout`,
		}},
		{"not a boolean", "amqp://app:s3cr3t@127.0.0.1/?transient=maybe", []string{`parameter transient="maybe" is not a boolean`}},
		{"unknown overflow", "redis://app:s3cr3t@127.0.0.1?overflow=drop_all", []string{`parameter overflow="drop_all" is not one of drop_oldest, drop_newest`}},
		{"unknown colour", "terminal?color=blue", []string{`parameter color="blue" is not one of auto, always, never`}},
		{"unknown output", "terminal?output=stdlog", []string{`parameter output="stdlog" is not one of stdout, stderr`}},
		{"zero max_data", "terminal?max_data=0", []string{"parameter max_data=0: write data=false"}},
		{"empty value", "amqp://app:s3cr3t@127.0.0.1/?exchange=", []string{`parameter "exchange" is empty`}},
		{"empty list entry", "redis://app:s3cr3t@127.0.0.1?types=error||end", []string{`parameter types="error||end" has an empty entry (separate entries with "|")`}},
		{"types with a comma", "redis://app:s3cr3t@127.0.0.1?types=error%2Cend", []string{`parameter types: "error,end" is not an event type`}},
		{"upper-case type", "redis://app:s3cr3t@127.0.0.1?types=Error", []string{`parameter types: "Error" is not an event type`}},
		{"queue settings without queue", "amqp://app:s3cr3t@127.0.0.1/?binding_key=loan.%23", []string{"binding_key, dead_letter_exchange and queue_max_length need queue=NAME"}},
		{"empty addr", "amqp://app:s3cr3t@127.0.0.1/?addr=", []string{"parameter addr is empty"}},
		{"bad amqp option value", "amqp://app:s3cr3t@127.0.0.1/?heartbeat=often", []string{"amqp://app:xxxxx@127.0.0.1/?heartbeat=often: heartbeat is not an uint16"}},
		{"password in a value", "redis://app:s3cr3t@127.0.0.1?buffer=s3cr3t", []string{`parameter buffer="xxxxx" is not a whole number`}},
		{"redis without host", "redis://app:s3cr3t@/0", []string{"redissink: URL redis://app:xxxxx@/0: no host"}},
		{"amqp without host", "amqp://app:s3cr3t@/", []string{"amqp://app:xxxxx@/: no host"}},
		{"bad stream template", "redis://app:s3cr3t@127.0.0.1?stream=events:{nope}", []string{"redissink: StreamKey"}},
		{"bad routing key template", "amqp://app:s3cr3t@127.0.0.1/?routing_key=loan.{bogus}", []string{"rabbitmqsink: RoutingKey"}},
		{"contradicting amqp settings", "amqp://app:s3cr3t@127.0.0.1/?mandatory&no_confirms", []string{"Mandatory needs publisher confirms"}},
		{"batch over buffer", "redis://app:s3cr3t@127.0.0.1?batch=500&buffer=100", []string{"BatchSize 500 exceeds BufferSize 100"}},
		{"unknown nats parameter", "nats://app:s3cr3t@127.0.0.1?strem=x", []string{`item 1 (nats://app:xxxxx@127.0.0.1?strem=x): unknown parameter "strem"`}},
		{"nats without host", "nats://app:s3cr3t@", []string{"natssink: URL: nats://app:xxxxx@: no host"}},
		{"nats token hidden", "nats://s3cr3t@127.0.0.1?subject=a.{bogus}", []string{"item 1 (nats://xxxxx@127.0.0.1?subject=a.{bogus})", "natssink: Subject"}},
		{"nats token hidden in addr servers", "nats://s3cr3t@/?addr=h2:4222", []string{"server 1 of 2: nats://xxxxx@: no host"}},
		{"nats wildcard subject", "nats://127.0.0.1?subject=ai.*", []string{"natssink: Subject \"ai.*\": token 2 holds '*'"}},
		{"nats bad stream name", "nats://127.0.0.1?stream=ai.events", []string{"natssink: Stream \"ai.events\""}},
		{"nats stream settings without create", "nats://127.0.0.1?replicas=3", []string{"configure the stream the sink creates: add create=true"}},
		{"nats bad storage", "nats://127.0.0.1?create&storage=disk", []string{`parameter storage="disk" is not one of file, memory`}},
		{"nats zero replicas", "nats://127.0.0.1?create&replicas=0", []string{"parameter replicas=0 is below its minimum 1"}},
		{"nats zero window", "nats://127.0.0.1?window=0", []string{"parameter window=0 is below its minimum 1"}},
		{"nats cert without key", "nats+tls://127.0.0.1?tls_cert=c.pem", []string{"CertFile and KeyFile go together"}},
		{"nats empty addr", "nats://127.0.0.1?addr=", []string{"parameter addr is empty"}},
		{"every problem at once", "terminal?buffer=x&colour=y,redis://app:s3cr3t@127.0.0.1?strem=1&write_timeout=soon,amqp://app:s3cr3t@127.0.0.1/?routing_key=a.{bogus}", []string{
			`item 1 (terminal?buffer=x&colour=y): parameter buffer="x" is not a whole number`,
			`item 1 (terminal?buffer=x&colour=y): unknown parameter "colour"`,
			`item 2 (redis://app:xxxxx@127.0.0.1?strem=1&write_timeout=soon): unknown parameter "strem"`,
			`item 2 (redis://app:xxxxx@127.0.0.1?strem=1&write_timeout=soon): parameter write_timeout="soon" is not a duration`,
			`item 3 (amqp://app:xxxxx@127.0.0.1/?routing_key=a.{bogus}): sinks: invalid configuration: rabbitmqsink: RoutingKey`,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sinkurl.Parse(tc.list)
			if err == nil {
				t.Fatalf("Parse(%q) = %d sinks, nil error; want an error", tc.list, len(got))
			}
			if got != nil {
				t.Errorf("Parse(%q) returned %d sinks with its error", tc.list, len(got))
			}
			checkInvalid(t, err, "sinkurl")
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not contain %q:\n%v", w, err)
				}
			}
		})
	}
}

// checkInvalid checks what every configuration error promises: it and each
// joined part wrap sinks.ErrInvalidConfig, every line names where the list
// came from, and no line contains the password.
func checkInvalid(t *testing.T, err error, where string) {
	t.Helper()
	if !errors.Is(err, sinks.ErrInvalidConfig) {
		t.Errorf("error does not wrap sinks.ErrInvalidConfig: %v", err)
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, part := range j.Unwrap() {
			if !errors.Is(part, sinks.ErrInvalidConfig) {
				t.Errorf("part of the error does not wrap sinks.ErrInvalidConfig: %v", part)
			}
		}
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		if !strings.HasPrefix(line, where+": ") {
			t.Errorf("error line does not start with %q: %s", where+": ", line)
		}
	}
	if strings.Contains(err.Error(), secret) {
		t.Errorf("error contains the password:\n%v", err)
	}
}

// An OTLP item's header values are secrets too: no error shows them, in the
// item's description or anywhere else.
func TestParseInvalidOTLP(t *testing.T) {
	cases := []struct {
		name string
		list string
		want []string
	}{
		{"unknown parameter", "otlp+https://api.smith.langchain.com/otel?header=x-api-key:s3cr3t&servce=x",
			[]string{`item 1 (otlp+https://api.smith.langchain.com/otel?header=x-api-key:xxxxx&servce=x): unknown parameter "servce"`}},
		{"bad header", "otlp+http://h:4318?header=s3cr3t", []string{"parameter header number 1 is not NAME:VALUE"}},
		{"header value with a newline", "otlp+http://h:4318?header=x-api-key:s3cr3t%0Ax", []string{`the value of header "x-api-key" holds a control character (value withheld)`}},
		{"password", "otlp+https://pk:s3cr3t@h?max_open=0", []string{"(otlp+https://pk:xxxxx@h?max_open=0): parameter max_open=0 is below its minimum 1"}},
		{"unparseable", "otlp+http://h st:4318?header=x-api-key:s3cr3t", []string{"item 1 (otlp+http://h st:4318?…): not a valid URL"}},
		{"endpoint", "otlp+ftp://h", []string{`unknown sink "otlp+ftp://"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := sinkurl.Parse(c.list)
			if err == nil || got != nil {
				t.Fatalf("Parse(%q) = %v, %v; want an error and no sinks", c.list, got, err)
			}
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Errorf("error does not wrap ErrInvalidConfig: %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret: %v", err)
			}
		})
	}
}
