package sinkurl

import (
	"net/url"

	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// amqpConfig reads "amqp://user:pass@host:5672/vhost?exchange=audit&...".
func amqpConfig(u *url.URL, p *params) rabbitmqsink.Config {
	var cfg rabbitmqsink.Config
	hostOptions(p, &cfg.Options)
	p.string("exchange", &cfg.Exchange)
	p.string("exchange_kind", &cfg.ExchangeKind)
	p.string("routing_key", &cfg.RoutingKey)
	p.boolean("transient", &cfg.Transient)
	p.boolean("mandatory", &cfg.Mandatory)
	p.boolean("no_declare", &cfg.NoDeclare)
	p.boolean("no_confirms", &cfg.NoConfirms)
	p.int("confirm_window", 1, &cfg.ConfirmWindow)
	p.int("max_message_bytes", 1, &cfg.MaxMessageBytes)
	p.duration("dial_timeout", &cfg.DialTimeout)
	p.gone("confirm_timeout", "write_timeout (Options.WriteTimeout) bounds each write, confirms included")
	p.string("connection_name", &cfg.ConnectionName)

	var q rabbitmqsink.QueueConfig
	p.string("queue", &q.Name)
	p.string("binding_key", &q.BindingKey)
	p.string("dead_letter_exchange", &q.DeadLetterExchange)
	p.int("queue_max_length", 1, &q.MaxLength)
	switch {
	case q.Name != "":
		cfg.Queue = &q
	case q != rabbitmqsink.QueueConfig{}:
		p.bad("parameters binding_key, dead_letter_exchange and queue_max_length need queue=NAME")
	}

	addrs := p.all("addr")
	pass := url.Values{}
	for _, name := range urlparams.AMQPOptions { // passed through; any other is unknown
		if vs := p.all(name); vs != nil {
			pass[name] = vs
		}
	}
	p.unknown()

	// The nodes go in URLs, not URL: rabbitmqsink splits URL at commas, and
	// a comma that was %2C in a password comes back raw from String.
	first := *u
	first.RawQuery = pass.Encode()
	cfg.URLs = []string{first.String()}
	for _, addr := range addrs {
		if addr == "" {
			p.bad("parameter addr is empty (write addr=host:port)")
			continue
		}
		node := first
		node.Host = addr
		cfg.URLs = append(cfg.URLs, node.String())
	}
	return cfg
}
