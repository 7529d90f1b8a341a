package rabbitmqsink_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// secret is the password in every URL of these tests; no error may show it.
const secret = "s3cr3tPw"

func TestNewValidates(t *testing.T) {
	good := "amqp://audit:" + secret + "@localhost:5672/"
	cases := []struct {
		name string
		cfg  rabbitmqsink.Config
		want string // in the error; "" means valid
	}{
		{"ZeroValue", rabbitmqsink.Config{}, ""},
		{"SeedAudit", rabbitmqsink.Config{URL: good, Exchange: "financial_ai_audit", RoutingKey: "loan.{operation}.{event_type}"}, ""},
		{"ClusterURLs", rabbitmqsink.Config{URL: good + ", amqps://audit:" + secret + "@node2:5671/", URLs: []string{good}}, ""},
		{"PythonHEAD", rabbitmqsink.Config{Exchange: rabbitmqsink.AMQPDefaultExchange, Queue: &rabbitmqsink.QueueConfig{Name: "streamll_events"}, Transient: true}, ""},
		{"DirectFixedKey", rabbitmqsink.Config{ExchangeKind: "direct", RoutingKey: "audit", Queue: &rabbitmqsink.QueueConfig{Name: "q"}}, ""},
		{"PluginKind", rabbitmqsink.Config{ExchangeKind: "x-consistent-hash", Queue: &rabbitmqsink.QueueConfig{Name: "q", BindingKey: "10"}}, ""},

		{"BadScheme", rabbitmqsink.Config{URL: "http://audit:" + secret + "@localhost/"}, `scheme "http"`},
		{"UnparsableURL", rabbitmqsink.Config{URL: "amqp://audit:" + secret + "@local host:5672/"}, "not a valid URL"},
		{"BadPort", rabbitmqsink.Config{URL: "amqp://audit:" + secret + "@localhost:port/"}, "not a valid URL"},
		{"NoHost", rabbitmqsink.Config{URL: "amqp://audit:" + secret + "@/"}, "no host"},
		{"PortOutOfRange", rabbitmqsink.Config{URL: "amqp://audit:" + secret + "@localhost:99999/"}, `port "99999" is outside 1-65535`},
		{"BadSecondNode", rabbitmqsink.Config{URL: good, URLs: []string{"redis://audit:" + secret + "@localhost/"}}, "node 2 of 2"},
		{"EmptyNode", rabbitmqsink.Config{URLs: []string{""}}, "empty"},
		{"BadHeartbeat", rabbitmqsink.Config{URL: good + "?heartbeat=forever"}, "heartbeat"},
		{"UnknownPlaceholder", rabbitmqsink.Config{RoutingKey: "loan.{customer}"}, "unknown placeholder {customer}"},
		{"EmptyPlaceholder", rabbitmqsink.Config{RoutingKey: "loan.{}"}, "empty placeholder"},
		{"UnbalancedBraces", rabbitmqsink.Config{RoutingKey: "loan.{operation"}, "unterminated"},
		{"BadExchangeKind", rabbitmqsink.Config{ExchangeKind: "bogus"}, `ExchangeKind "bogus"`},
		{"DefaultExchangeWithoutQueue", rabbitmqsink.Config{Exchange: rabbitmqsink.AMQPDefaultExchange}, "routes by queue name"},
		{"MandatoryWithoutConfirms", rabbitmqsink.Config{Mandatory: true, NoConfirms: true}, "Mandatory needs publisher confirms"},
		{"NegativeWindow", rabbitmqsink.Config{ConfirmWindow: -1}, "ConfirmWindow"},
		{"NegativeDialTimeout", rabbitmqsink.Config{DialTimeout: -1}, "DialTimeout"},
		{"NegativeMaxMessageBytes", rabbitmqsink.Config{MaxMessageBytes: -1}, "MaxMessageBytes"},
		{"QueueWithoutName", rabbitmqsink.Config{Queue: &rabbitmqsink.QueueConfig{}}, "Queue.Name is required"},
		{"QueueWithNoDeclare", rabbitmqsink.Config{NoDeclare: true, Queue: &rabbitmqsink.QueueConfig{Name: "q"}}, "NoDeclare and Queue"},
		{"DirectTemplateNeedsBindingKey", rabbitmqsink.Config{ExchangeKind: "direct", Queue: &rabbitmqsink.QueueConfig{Name: "q"}}, "set Queue.BindingKey"},
		{"BadHostOptions", rabbitmqsink.Config{Options: sinks.Options{BatchSize: -1}}, "BatchSize"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := rabbitmqsink.New(c.cfg)
			if c.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if s != nil || err == nil {
				t.Fatalf("New = %v, %v; want an error containing %q", s, err, c.want)
			}
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap sinks.ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

func TestNameAndHostOptions(t *testing.T) {
	cases := []struct {
		name        string
		cfg         rabbitmqsink.Config
		wantName    string
		wantRetries int
	}{
		{"Defaults", rabbitmqsink.Config{}, "rabbitmq:streamll", 0},
		{"SeedMaxRetries", rabbitmqsink.Config{Exchange: "financial_ai_audit", Options: sinks.Options{Retry: supervisor.Retry{MaxRetries: 5}}}, "rabbitmq:financial_ai_audit", 5},
		{"DefaultExchange", rabbitmqsink.Config{Exchange: rabbitmqsink.AMQPDefaultExchange, Queue: &rabbitmqsink.QueueConfig{Name: "streamll_events"}}, "rabbitmq:amq.default", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := rabbitmqsink.New(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Name(); got != c.wantName {
				t.Errorf("Name = %q, want %q", got, c.wantName)
			}
			if got := s.HostOptions().Retry.MaxRetries; got != c.wantRetries {
				t.Errorf("HostOptions().Retry.MaxRetries = %d, want %d", got, c.wantRetries)
			}
		})
	}
}
