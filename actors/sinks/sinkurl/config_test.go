package sinkurl

import (
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// TestParseConfig checks that every setting reaches the driver's Config
// field the package documentation names.
func TestParseConfig(t *testing.T) {
	cases := []struct {
		name string
		spec string
		want any
	}{
		{"terminal", "terminal", terminal.Config{}},
		{"terminal any case", "Terminal", terminal.Config{}},
		{
			"terminal settings",
			"terminal?color=never&tokens=false&data=0&max_data=120&output=stderr",
			terminal.Config{Color: terminal.ColorNever, HideTokens: true, HideData: true, MaxDataLen: 120, Output: os.Stderr},
		},
		{"terminal colour always, no data limit", "terminal?color=always&tokens=on&max_data=-1", terminal.Config{Color: terminal.ColorAlways, MaxDataLen: -1}},
		{
			"redis",
			"redis://localhost:6379/0?stream=ai_events",
			redissink.Config{URL: "redis://localhost:6379/0", StreamKey: "ai_events"},
		},
		{
			"redis settings and go-redis options",
			"rediss://app:pw@h:6380/2?skip_verify=true&field=message&maxlen=1000&dial_timeout=3s&stream=events:{tag:customer_id}",
			redissink.Config{
				URL: "rediss://app:pw@h:6380/2?dial_timeout=3s&skip_verify=true", StreamKey: "events:{tag:customer_id}",
				Field: "message", MaxLen: 1000,
			},
		},
		{
			"redis encoded braces",
			"redis://h?stream=%7B%7Bevents%7D%7D:%7Btag:customer_id%7D",
			redissink.Config{URL: "redis://h", StreamKey: "{{events}}:{tag:customer_id}"},
		},
		{
			"redis cluster with seeds",
			"redis+cluster://h1:7000?addr=h2:7000&addr=h3:7000&stream=prod_ai_events",
			redissink.Config{URL: "redis://h1:7000?addr=h2%3A7000&addr=h3%3A7000", Cluster: true, StreamKey: "prod_ai_events"},
		},
		{"rediss cluster", "rediss+cluster://h1:7000", redissink.Config{URL: "rediss://h1:7000", Cluster: true}},
		{"redis unix socket", "redis+unix:///run/redis.sock?db=2", redissink.Config{URL: "unix:///run/redis.sock?db=2"}},
		{
			"shadowed go-redis options are the host's",
			"redis://h?max_retries=3&write_timeout=2s",
			redissink.Config{URL: "redis://h", Options: sinks.Options{WriteTimeout: 2 * time.Second, Retry: supervisor.Retry{MaxRetries: 3}}},
		},
		{
			"amqp every setting",
			"amqp://app:p%2Cw@rabbit:5672/prod?exchange=audit&exchange_kind=direct&routing_key=loan.%7Boperation%7D.{event_type}" +
				"&transient&mandatory=yes&confirm_window=50&max_message_bytes=1000&dial_timeout=1s" +
				"&connection_name=svc&queue=audit_q&binding_key=loan.%23&dead_letter_exchange=dlx&queue_max_length=10" +
				"&heartbeat=5&addr=rabbit2:5672&addr=rabbit3:5673&max_retries=5",
			rabbitmqsink.Config{
				URLs: []string{
					"amqp://app:p,w@rabbit:5672/prod?heartbeat=5",
					"amqp://app:p,w@rabbit2:5672/prod?heartbeat=5",
					"amqp://app:p,w@rabbit3:5673/prod?heartbeat=5",
				},
				Exchange: "audit", ExchangeKind: "direct", RoutingKey: "loan.{operation}.{event_type}",
				Transient: true, Mandatory: true, ConfirmWindow: 50, MaxMessageBytes: 1000,
				DialTimeout: time.Second, ConnectionName: "svc",
				Queue:   &rabbitmqsink.QueueConfig{Name: "audit_q", BindingKey: "loan.#", DeadLetterExchange: "dlx", MaxLength: 10},
				Options: sinks.Options{Retry: supervisor.Retry{MaxRetries: 5}},
			},
		},
		{
			"amqp flags without values",
			"amqps://h/?no_declare&no_confirms",
			rabbitmqsink.Config{URLs: []string{"amqps://h/"}, NoDeclare: true, NoConfirms: true},
		},
		{"nats", "nats://127.0.0.1:4222?stream=ai_events", natssink.Config{URLs: []string{"nats://127.0.0.1:4222"}, Stream: "ai_events"}},
		{
			"nats every setting",
			"nats+tls://app:p%2Cw@n1:4222/?stream=ai_events&subject=ai.%7Bmodule_name%7D.{event_type}&window=50" +
				"&dial_timeout=1s&reconnect_wait=100ms&ping_interval=3s&no_randomize&connection_name=svc" +
				"&creds=/etc/app.creds&tls_ca=ca.pem&tls_cert=c.pem&tls_key=k.pem&addr=n2:4222&addr=n3:4223" +
				"&create&replicas=3&storage=memory&max_age=24h&max_bytes=1000000&max_msgs=5000&duplicates=10m&stream_subjects=ai.>|audit.>",
			natssink.Config{
				URLs:   []string{"tls://app:p,w@n1:4222", "tls://app:p,w@n2:4222", "tls://app:p,w@n3:4223"},
				Stream: "ai_events", Subject: "ai.{module_name}.{event_type}", Window: 50,
				DialTimeout: time.Second, ReconnectWait: 100 * time.Millisecond,
				PingInterval: 3 * time.Second, NoRandomize: true, ConnectionName: "svc",
				CredsFile: "/etc/app.creds", CAFile: "ca.pem", CertFile: "c.pem", KeyFile: "k.pem",
				CreateStream: &jetstream.StreamConfig{
					Replicas: 3, Storage: jetstream.MemoryStorage, MaxAge: 24 * time.Hour, MaxBytes: 1000000,
					MaxMsgs: 5000, Duplicates: 10 * time.Minute, Subjects: []string{"ai.>", "audit.>"},
				},
			},
		},
		{"nats create with defaults", "nats://tok@h:4222?create=true", natssink.Config{URLs: []string{"nats://tok@h:4222"}, CreateStream: &jetstream.StreamConfig{}}},
		{"nats create off", "nats://h?create=false", natssink.Config{URLs: []string{"nats://h"}}},
		{
			"host settings",
			"amqp://h?name=audit&buffer=100&batch=10&overflow=drop_newest&write_timeout=2s" +
				"&max_retries=0&max_elapsed=1m&breaker=off&failure_threshold=2&recovery_timeout=10s",
			rabbitmqsink.Config{URLs: []string{"amqp://h"}, Options: sinks.Options{
				Name: "audit", BufferSize: 100, BatchSize: 10,
				Overflow: sinks.DropNewest, WriteTimeout: 2 * time.Second,
				Retry:   supervisor.Retry{MaxElapsed: time.Minute},
				Breaker: supervisor.BreakerPolicy{Disabled: true, FailureThreshold: 2, RecoveryTimeout: 10 * time.Second},
			}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			it := newItem("test", 1)
			got := parseConfig(it, tc.spec)
			if len(it.errs) > 0 {
				t.Fatalf("parseConfig(%q): %v", tc.spec, it.errs)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("parseConfig(%q)\n got %#v\nwant %#v", tc.spec, got, tc.want)
			}
		})
	}
}
