package sinkurl

import (
	"context"
	"errors"
	"net/url"
	"os"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
)

// EnvVar is the conventional name of the environment variable that holds the
// sink list.
const EnvVar = "STREAMLL_SINKS"

// None is the list that names no sinks at all.
const None = "none"

// Parse builds the sinks of a comma-separated list of sink specs, in list
// order. It validates every item and reports every problem at once: the error
// joins one error per problem, each naming the item, and each wraps
// sinks.ErrInvalidConfig; no error contains a password. On error no sink is
// returned. An empty list is an error; the list "none" gives no sinks.
//
// Parse opens no connection: the sinks connect on their first Write. (The
// go-redis release in use does resolve a Redis host name, for up to 2s, when
// redissink.New creates its client; a host given as an IP address is not
// looked up.)
func Parse(list string) ([]sinks.Sink, error) {
	return parse("sinkurl", list)
}

// FromEnv builds the sinks listed in the environment variable name, such as
// EnvVar, as Parse does; its errors start with the variable's name. When the
// variable is unset or blank it parses fallback instead (its errors start
// with the variable's name and "(default)"), and a blank fallback gives no
// sinks and no error:
//
//	list, err := sinkurl.FromEnv(sinkurl.EnvVar, "terminal")
func FromEnv(name, fallback string) ([]sinks.Sink, error) {
	if list := os.Getenv(name); strings.TrimSpace(list) != "" {
		return parse(name, list)
	}
	if strings.TrimSpace(fallback) == "" {
		return nil, nil
	}
	return parse(name+" (default)", fallback)
}

func parse(where, list string) ([]sinks.Sink, error) {
	specs := strings.Split(list, ",")
	for i := range specs {
		specs[i] = strings.TrimSpace(specs[i])
	}
	switch {
	case len(specs) == 1 && specs[0] == "":
		return nil, &itemError{msg: where + ": no sinks listed (write " + None + " for no sinks)", err: invalid("empty list")}
	case len(specs) == 1 && strings.EqualFold(specs[0], None):
		return nil, nil
	}
	var (
		built []sinks.Sink
		errs  []error
	)
	for i, spec := range specs {
		it := newItem(where, i+1)
		if s := parseSpec(it, spec); s != nil {
			built = append(built, s)
		}
		errs = append(errs, it.errs...)
	}
	if len(errs) > 0 {
		for _, s := range built {
			_ = s.Close(context.Background()) // nothing was dialled or written
		}
		return nil, errors.Join(errs...)
	}
	return built, nil
}

// parseSpec builds the sink of one item, or records its problems in it and
// returns nil.
func parseSpec(it *item, spec string) sinks.Sink {
	var (
		s   sinks.Sink
		err error
	)
	switch cfg := parseConfig(it, spec).(type) {
	case terminal.Config:
		s, err = newSink(terminal.New(cfg))
	case redissink.Config:
		s, err = newSink(redissink.New(cfg))
	case rabbitmqsink.Config:
		s, err = newSink(rabbitmqsink.New(cfg))
	case natssink.Config:
		s, err = newSink(natssink.New(cfg))
	case otelsink.Config:
		s, err = newSink(otelsink.New(cfg))
	default:
		return nil
	}
	return it.built(s, err)
}

// newSink turns a driver's constructor result into a sinks.Sink that is
// nil, not a typed nil pointer, when the constructor failed.
func newSink[S sinks.Sink](s S, err error) (sinks.Sink, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

// parseConfig reads one item into the Config of its driver, recording the
// problems it finds in it. It returns nil when the item names no driver.
// The driver's constructor validates the rest.
func parseConfig(it *item, spec string) any {
	if spec == "" {
		it.bad("empty item (two commas in a row, or one at an end?)")
		return nil
	}
	// url.Parse would take everything after a '#' as a fragment and drop
	// it silently: a binding key "loan.#" would bind "loan.".
	if strings.Contains(spec, "#") {
		it.describe(spec, nil)
		it.bad(`'#' must be written %%23 (a bare '#' starts a URL fragment, which would be lost)`)
		return nil
	}
	u, err := url.Parse(spec)
	if err != nil {
		it.describe(spec, nil)
		it.bad("%s", parseError(spec, err))
		return nil
	}
	it.describe(spec, u)
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		it.bad("the settings after '?' are malformed: %v", err)
		return nil
	}
	p := newParams(q, it.bad)

	if u.Scheme == "" && u.Host == "" && u.User == nil {
		switch word := strings.ToLower(u.Path); word {
		case "terminal":
			return terminalConfig(p)
		case None:
			it.bad("%q cannot be combined with other sinks", None)
			return nil
		}
	}
	if r, ok := redisSchemes[u.Scheme]; ok {
		return redisConfig(u, p, r)
	}
	if u.Scheme == "amqp" || u.Scheme == "amqps" {
		return amqpConfig(u, p)
	}
	if scheme, ok := natsSchemes[u.Scheme]; ok {
		return natsConfig(u, p, scheme)
	}
	if _, ok := otlpSchemes[u.Scheme]; ok {
		return otlpConfig(u, p)
	}
	const want = "want terminal, redis://, rediss://, redis+cluster://, rediss+cluster://, redis+unix://, amqp://, amqps://, nats://, nats+tls://, otlp+http://, otlp+https:// or " + None
	switch kind := strings.SplitN(spec, "?", 2)[0]; {
	case u.Scheme != "" && u.Opaque == "":
		it.bad("unknown sink %q: %s", u.Scheme+"://", want)
	case strings.Contains(kind, "@"):
		it.bad("unknown sink: %s", want)
	default:
		it.bad("unknown sink %q: %s", kind, want)
	}
	return nil
}
