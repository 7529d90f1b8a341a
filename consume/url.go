package consume

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/streamll/streamll-go/internal/urlparams"
)

// Open makes a consumer from a URL spelled as package sinkurl spells the
// sink that writes there, so that a sink's URL read back works as it is:
//
//	redis://localhost:6379/0?stream=ai_platform_events
//	redis://localhost:6379?stream=ai_events&group=dashboards&consumer=web-1
//	amqp://guest:guest@localhost:5672/?exchange=financial_ai_audit
//	amqp://guest:guest@localhost:5672/?exchange=audit&queue=loan_audit_trail&binding_key=loan.%23
//	nats://127.0.0.1:4222?stream=STREAMLL&subject=streamll.>
//
// Redis parameters: stream, field, group, consumer, claim_idle (a duration),
// block (Options.Wait); any other is a go-redis client option (db, client_name, ...).
// RabbitMQ: exchange, exchange_kind, binding_key, queue, connection_name,
// and amqp091-go's own (heartbeat, ...). NATS: stream, subject, durable,
// ack_wait, block (Options.Wait). The schemes are those of sinkurl and nats:// (tls:// for
// NATS over TLS). The settings that only configure a sink (buffer, batch,
// maxlen, routing_key, failure_threshold, ...) are accepted and ignored.
// opts gives the settings every consumer shares. Errors wrap
// ErrInvalidConfig or ErrConnect and show no password.
func Open(ctx context.Context, rawURL string, opts Options) (*Consumer, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a URL", ErrInvalidConfig, redactedHost(rawURL))
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: the settings after '?' are malformed: %v", ErrInvalidConfig, u.Redacted(), err)
	}
	p := &query{q: q}
	switch u.Scheme {
	case "redis", "rediss", "redis+cluster", "rediss+cluster", "redis+unix":
		cfg := RedisConfig{Options: opts}
		cfg.Stream = p.take("stream")
		cfg.Field = p.take("field")
		cfg.Group = p.take("group")
		cfg.Consumer = p.take("consumer")
		cfg.ClaimIdle = p.duration("claim_idle")
		if w := p.duration("block"); w > 0 {
			cfg.Wait = w
		}
		p.ignore(urlparams.Redis)
		if err := p.err(u); err != nil {
			return nil, err
		}
		rest := *u
		rest.RawQuery = p.rest().Encode()
		cfg.URL = rest.String()
		return NewRedis(ctx, cfg)
	case "amqp", "amqps":
		cfg := RabbitMQConfig{Options: opts}
		cfg.Exchange = p.take("exchange")
		cfg.ExchangeKind = p.take("exchange_kind")
		cfg.BindingKey = p.take("binding_key")
		cfg.Queue = p.take("queue")
		cfg.ConnectionName = p.take("connection_name")
		p.ignore(urlparams.AMQP)
		pass := url.Values{}
		for name, vs := range p.rest() {
			if !slices.Contains(urlparams.AMQPOptions, name) {
				p.bad("unknown parameter %q", name)
				continue
			}
			pass[name] = vs
		}
		if err := p.err(u); err != nil {
			return nil, err
		}
		rest := *u
		rest.RawQuery = pass.Encode()
		cfg.URL = rest.String()
		return NewRabbitMQ(ctx, cfg)
	case "nats", "tls":
		cfg := NATSConfig{Options: opts}
		cfg.Stream = p.take("stream")
		cfg.Subject = p.take("subject")
		cfg.Durable = p.take("durable")
		cfg.AckWait = p.duration("ack_wait")
		if w := p.duration("block"); w > 0 {
			cfg.Wait = w
		}
		p.ignore(urlparams.NATS)
		for name := range p.rest() {
			p.bad("unknown parameter %q", name)
		}
		if err := p.err(u); err != nil {
			return nil, err
		}
		rest := *u
		rest.RawQuery = ""
		cfg.URL = rest.String()
		return NewNATS(ctx, cfg)
	case "":
		return nil, fmt.Errorf("%w: %q has no scheme: want redis://, amqp:// or nats://", ErrInvalidConfig, redactedHost(rawURL))
	}
	return nil, fmt.Errorf("%w: unknown scheme %q: want redis://, rediss://, redis+cluster://, redis+unix://, amqp://, amqps:// or nats://", ErrInvalidConfig, u.Scheme+"://")
}

// query reads a URL's settings, remembering which were used and what was
// wrong.
type query struct {
	q    url.Values
	used []string
	errs []string
}

func (p *query) take(name string) string {
	vs, ok := p.q[name]
	if !ok {
		return ""
	}
	p.used = append(p.used, name)
	if len(vs) > 1 {
		p.bad("parameter %q is given %d times", name, len(vs))
	}
	return vs[0]
}

// ignore takes, to ignore them, the settings of the sink's URL (package
// sinkurl) that the consumer has not read itself: they configure the sink.
func (p *query) ignore(sink urlparams.Table) {
	for name := range p.q {
		if _, ok := sink[name]; ok && !slices.Contains(p.used, name) {
			p.take(name)
		}
	}
}

func (p *query) duration(name string) time.Duration {
	v := p.take(name)
	if v == "" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		p.bad("parameter %s=%q is not a positive duration (such as 30s or 500ms)", name, v)
	}
	return d
}

func (p *query) rest() url.Values {
	rest := url.Values{}
	for k, vs := range p.q {
		if !slices.Contains(p.used, k) {
			rest[k] = vs
		}
	}
	return rest
}

func (p *query) bad(format string, args ...any) {
	p.errs = append(p.errs, fmt.Sprintf(format, args...))
}

func (p *query) err(u *url.URL) error {
	if len(p.errs) == 0 {
		return nil
	}
	slices.Sort(p.errs)
	return fmt.Errorf("%w: %s: %s", ErrInvalidConfig, redactedURL(u), strings.Join(p.errs, "; "))
}

// redactedURL shows a URL without its password or query.
func redactedURL(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.Redacted()
}
