package sinkurl

import (
	"net/url"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks/otelsink"
)

// otlpSchemes maps a list's OTLP schemes to the endpoint's.
var otlpSchemes = map[string]string{
	"otlp+http":  "http",
	"otlp+https": "https",
}

// otlpConfig reads "otlp+https://pk:sk@host/api/public/otel?service=chatbot&header=x-api-key:KEY&...".
// The user name and password are the endpoint's Basic authentication; the
// headers' values, like the password, never appear in an error.
func otlpConfig(u *url.URL, p *params) otelsink.Config {
	var cfg otelsink.Config
	hostOptions(p, &cfg.Options)
	p.string("service", &cfg.ServiceName)
	for i, h := range p.all("header") {
		name, value, ok := strings.Cut(h, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			p.bad("parameter header number %d is not NAME:VALUE", i+1)
			continue
		}
		if cfg.Headers == nil {
			cfg.Headers = map[string]string{}
		}
		cfg.Headers[name] = strings.TrimSpace(value)
	}
	p.boolean("gzip", &cfg.Gzip)
	p.gone("timeout", "write_timeout (Options.WriteTimeout) bounds each write")
	p.duration("incomplete_after", &cfg.IncompleteAfter)
	p.int("max_open", 1, &cfg.MaxOpen)
	p.boolean("token_events", &cfg.TokenEvents)
	p.int("max_span_events", -1, &cfg.MaxSpanEvents)
	p.unknown()

	target := *u
	target.Scheme = otlpSchemes[u.Scheme]
	target.RawQuery = ""
	cfg.Endpoint = target.String()
	return cfg
}

// maskHeaders returns spec and u with the values of OTLP header=NAME:VALUE
// parameters masked, and records those values as the item's secrets, so
// that no error shows an API key. A spec that did not parse (u nil) is cut
// at its '?'.
func (it *item) maskHeaders(spec string, u *url.URL) (string, *url.URL) {
	lower := strings.ToLower(spec)
	if !strings.HasPrefix(lower, "otlp+") || !strings.Contains(lower, "header") {
		return spec, u
	}
	if u == nil {
		if i := strings.IndexByte(spec, '?'); i >= 0 {
			return spec[:i] + "?…", nil
		}
		return spec, nil
	}
	masked := *u
	q := strings.Split(u.RawQuery, "&")
	for i, raw := range q {
		name, value, _ := strings.Cut(raw, "=")
		if name != "header" {
			continue
		}
		// The value after the colon is the secret; without a colon the
		// whole value may be a key pasted on its own.
		hname, v, ok := strings.Cut(value, ":")
		if !ok {
			hname, v = "", value
		}
		it.addSecret(v)
		if decoded, err := url.QueryUnescape(v); err == nil {
			it.addSecret(strings.TrimSpace(decoded))
		}
		if ok {
			q[i] = "header=" + hname + ":xxxxx"
		} else {
			q[i] = "header=xxxxx"
		}
	}
	masked.RawQuery = strings.Join(q, "&")
	return masked.String(), &masked
}

func (it *item) addSecret(v string) {
	if v != "" {
		it.secrets = append(it.secrets, v)
	}
}
