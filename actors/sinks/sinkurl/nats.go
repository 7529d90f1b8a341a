package sinkurl

import (
	"net/url"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks/natssink"
)

// natsSchemes maps a list's NATS schemes to the ones nats.go dials.
var natsSchemes = map[string]string{
	"nats":     "nats",
	"nats+tls": "tls",
}

// natsConfig reads "nats://[user:pass@]host:4222?stream=ai_events&...".
func natsConfig(u *url.URL, p *params, scheme string) natssink.Config {
	var cfg natssink.Config
	hostOptions(p, &cfg.Options)
	p.string("stream", &cfg.Stream)
	p.string("subject", &cfg.Subject)
	p.int("window", 1, &cfg.Window)
	p.gone("ack_timeout", "write_timeout (Options.WriteTimeout) bounds each write, acks included")
	p.duration("dial_timeout", &cfg.DialTimeout)
	p.duration("reconnect_wait", &cfg.ReconnectWait)
	p.duration("ping_interval", &cfg.PingInterval)
	p.boolean("no_randomize", &cfg.NoRandomize)
	p.string("connection_name", &cfg.ConnectionName)
	p.string("creds", &cfg.CredsFile)
	p.string("tls_ca", &cfg.CAFile)
	p.string("tls_cert", &cfg.CertFile)
	p.string("tls_key", &cfg.KeyFile)

	create := false
	p.boolean("create", &create)
	sc := streamConfig(p)
	switch {
	case create && sc == nil:
		cfg.CreateStream = &jetstream.StreamConfig{}
	case create:
		cfg.CreateStream = sc
	case sc != nil:
		p.bad("parameters replicas, storage, max_age, max_bytes, max_msgs, duplicates and stream_subjects configure the stream the sink creates: add create=true")
	}

	addrs := p.all("addr")
	p.unknown()

	// The servers go in URLs, not URL: natssink splits URL at commas, and a
	// comma that was %2C in a password comes back raw from String.
	first := *u
	first.Scheme = scheme
	first.RawQuery = ""
	if first.Path == "/" {
		first.Path = ""
	}
	cfg.URLs = []string{first.String()}
	for _, addr := range addrs {
		if addr == "" {
			p.bad("parameter addr is empty (write addr=host:port)")
			continue
		}
		server := first
		server.Host = addr
		cfg.URLs = append(cfg.URLs, server.String())
	}
	return cfg
}

// streamConfig reads the settings of a stream to create; nil when none is
// given.
func streamConfig(p *params) *jetstream.StreamConfig {
	var sc jetstream.StreamConfig
	given := false
	mark := func(name string) bool {
		p.asked[name] = true
		_, ok := p.q[name]
		given = given || ok
		return ok
	}
	if mark("replicas") {
		p.int("replicas", 1, &sc.Replicas)
	}
	if mark("storage") {
		var storage string
		p.choice("storage", []string{"file", "memory"}, &storage)
		if storage == "memory" {
			sc.Storage = jetstream.MemoryStorage
		}
	}
	if mark("max_age") {
		p.duration("max_age", &sc.MaxAge)
	}
	if mark("max_bytes") {
		n := 0
		p.int("max_bytes", 1, &n)
		sc.MaxBytes = int64(n)
	}
	if mark("max_msgs") {
		n := 0
		p.int("max_msgs", 1, &n)
		sc.MaxMsgs = int64(n)
	}
	if mark("duplicates") {
		p.duration("duplicates", &sc.Duplicates)
	}
	if mark("stream_subjects") {
		sc.Subjects = p.list("stream_subjects")
	}
	if !given {
		return nil
	}
	return &sc
}
