package sinkurl

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// redisScheme says what a list's Redis scheme means to redissink.
type redisScheme struct {
	scheme  string // the scheme go-redis reads
	cluster bool   // redissink.Config.Cluster
}

var redisSchemes = map[string]redisScheme{
	"redis":          {"redis", false},
	"rediss":         {"rediss", false},
	"redis+cluster":  {"redis", true},
	"rediss+cluster": {"rediss", true},
	"redis+unix":     {"unix", false},
}

// redisConfig reads "redis://host:6379/0?stream=ai_events&...". The
// parameters this package does not know are go-redis's client options; each
// is checked by go-redis and passed through in the URL.
func redisConfig(u *url.URL, p *params, r redisScheme) redissink.Config {
	var cfg redissink.Config
	hostOptions(p, &cfg.Options)
	p.string("stream", &cfg.StreamKey)
	p.string("field", &cfg.Field)
	p.int64("maxlen", &cfg.MaxLen)
	p.gone("timeout", "write_timeout (Options.WriteTimeout) bounds each write")

	rest := p.rest()
	for _, name := range sortedKeys(rest) {
		if msg := checkRedisOption(r, name, rest[name]); msg != "" {
			p.bad("%s", msg)
			delete(rest, name)
		}
	}
	target := *u
	target.Scheme = r.scheme
	target.RawQuery = rest.Encode()
	cfg.URL = target.String()
	cfg.Cluster = r.cluster
	return cfg
}

// checkRedisOption asks go-redis whether it takes the query parameter name
// with values vs, using a URL without host or credentials so that its
// answer cannot quote them. It returns "" when go-redis takes it.
func checkRedisOption(r redisScheme, name string, vs []string) string {
	probe := r.scheme + "://localhost"
	if r.scheme == "unix" {
		probe = "unix:///probe.sock"
	}
	probe += "?" + url.Values{name: vs}.Encode()
	var err error
	if r.cluster {
		_, err = redis.ParseClusterURL(probe)
	} else {
		_, err = redis.ParseURL(probe)
	}
	switch {
	case err == nil:
		return ""
	case strings.Contains(err.Error(), "unexpected option"):
		return "unknown parameter " + strconv.Quote(name) + " (neither a sinkurl parameter nor a go-redis client option)"
	}
	return "parameter " + name + ": " + err.Error()
}
