package otelsink

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// Defaults for Config.
const (
	// DefaultEndpoint is an OpenTelemetry Collector (or Jaeger, Tempo, ...)
	// on this machine, at the OTLP/HTTP port.
	DefaultEndpoint = "http://localhost:4318"
	// TracesPath is the OTLP/HTTP path of traces, appended to Endpoint.
	TracesPath = "/v1/traces"
	// DefaultIncompleteAfter is how long an execution may go without any
	// event of its own or of the executions nested in it before it is
	// ended as incomplete.
	DefaultIncompleteAfter = 10 * time.Minute
	// DefaultMaxOpen bounds the executions the sink holds open at once.
	DefaultMaxOpen = 10000
	// DefaultMaxSpanEvents bounds the span events of one span, as the
	// OpenTelemetry SDK's default event count limit does.
	DefaultMaxSpanEvents = 128
)

// Config configures an OpenTelemetry sink. The zero value exports to
// http://localhost:4318/v1/traces, without headers, under the service name
// "unknown_service:<program>".
//
// The sink reads no environment variable by itself, so that what Config says
// is what it does; EnvConfig reads the standard OTEL_EXPORTER_OTLP_* ones
// into a Config.
type Config struct {
	// Options configure the host that runs the sink: filter, batching,
	// buffer, retries, circuit breaker, supervision. See sinks.Options for
	// their defaults. Each Write exports at most one OTLP request.
	sinks.Options

	// Endpoint is the receiver's base URL, http:// or https://, as
	// OTEL_EXPORTER_OTLP_ENDPOINT gives it: spans are sent to its path
	// followed by /v1/traces, such as
	// https://cloud.langfuse.com/api/public/otel/v1/traces. A URL whose path
	// already ends in /v1/traces is used as it is. A user name and password
	// in the URL (https://public-key:secret-key@host/...) are sent as HTTP
	// Basic authentication, never shown. Default "http://localhost:4318".
	Endpoint string

	// Headers are sent with every request, such as the API key of a hosted
	// service ({"x-api-key": key}) or {"Authorization": "Basic ..."}. Their
	// values never appear in an error, a log line, Health or Name. Default
	// none.
	Headers map[string]string

	// ServiceName is the service.name of the exported resource, the name
	// Jaeger and Tempo list traces under. Default: Resource's service.name
	// if it has one, else "unknown_service:" and the program's name, as the
	// OpenTelemetry SDK names a service nobody named.
	ServiceName string

	// Resource describes the process, such as
	// resource.NewSchemaless(semconv.DeploymentEnvironmentNameKey.String("prod")).
	// Default: service.name and the telemetry.sdk attributes only.
	Resource *resource.Resource

	// TLSConfig is used for https endpoints: a private CA, a client
	// certificate. Default: the system's roots.
	TLSConfig *tls.Config

	// Gzip compresses each request. Default false.
	Gzip bool

	// IncompleteAfter ends an execution that has had no event of its own,
	// and no execution nested in it has started or ended, for this long:
	// its span is exported with an error status saying it is incomplete and
	// ends at its last event. Time is the events' own: the stream has moved
	// on this far (the latest event timestamp, never ahead of the clock), so
	// events an outage held in the host's buffer do not make their
	// executions look abandoned. Such executions are found when a Write
	// comes and at Close. Default 10 minutes.
	IncompleteAfter time.Duration

	// MaxOpen bounds the executions held open (started, not yet ended) at
	// once, so memory stays bounded whatever producers do. A start beyond
	// it is refused and counted (Stats.Refused); that execution's span is
	// then made from its end event alone. Default 10000.
	MaxOpen int

	// TokenEvents attaches every token event to its span as a span event
	// ("token", with token_index, field and the text or token_chars), up to
	// MaxSpanEvents. Default false: tokens are counted and timed only
	// (streamll.tokens, gen_ai.response.time_to_first_chunk), which suits
	// long answers and keeps spans small.
	TokenEvents bool

	// MaxSpanEvents bounds the span events held for one execution (custom
	// events such as docs_found, and tokens with TokenEvents); more are
	// counted in the span's streamll.span_events_dropped attribute and in
	// Stats.SpanEventsDropped. Negative: none are kept. Default 128.
	MaxSpanEvents int

	// Logger receives the sink's warnings (refused executions, spans the
	// receiver rejected, ignored events), each kind at most once a minute.
	// Default nil: the bus's logger, which the bus gives every sink labelled
	// with its name (see sinks.Logging), so one logger serves the whole bus;
	// set it to send this sink's lines elsewhere (they are labelled
	// sink=<name> too).
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.Endpoint == "" {
		c.Endpoint = DefaultEndpoint
	}
	if c.IncompleteAfter == 0 {
		c.IncompleteAfter = DefaultIncompleteAfter
	}
	if c.MaxOpen == 0 {
		c.MaxOpen = DefaultMaxOpen
	}
	if c.MaxSpanEvents == 0 {
		c.MaxSpanEvents = DefaultMaxSpanEvents
	}
	return c
}

// endpoint is a validated Endpoint.
type endpoint struct {
	url   string // where requests go: no user information
	shown string // host and base path, for Name and errors
	auth  string // an Authorization header value from the URL's user info, or ""
}

// validate reports every error in c (with defaults applied), each wrapping
// sinks.ErrInvalidConfig; none contains a password or a header value.
func (c Config) validate() (endpoint, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: otelsink: %s", sinks.ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if err := c.Options.Validate(); err != nil {
		errs = append(errs, err)
	}
	ep, err := parseEndpoint(c.Endpoint)
	if err != nil {
		bad("Endpoint %v", err)
	}
	for _, name := range sortedNames(c.Headers) {
		switch {
		case !validHeaderName(name):
			bad("header name %q is not a valid HTTP header name", name)
		case !validHeaderValue(c.Headers[name]):
			bad("the value of header %q holds a control character (value withheld)", name)
		case ep.auth != "" && strings.EqualFold(name, "Authorization"):
			bad("Endpoint has a user name and password and Headers has Authorization: give one of them")
		}
	}
	if c.IncompleteAfter < 0 {
		bad("IncompleteAfter %v is negative", c.IncompleteAfter)
	}
	if c.MaxOpen < 0 {
		bad("MaxOpen %d is negative", c.MaxOpen)
	}
	return ep, errors.Join(errs...)
}

// parseEndpoint checks raw and splits the credentials off. Its errors show
// the URL with its password masked, or not at all when it does not parse.
func parseEndpoint(raw string) (endpoint, error) {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			return endpoint{}, errors.New("is not a valid URL (details withheld: it contains credentials)")
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return endpoint{}, fmt.Errorf("%q is not a valid URL: %v", raw, err)
	}
	shown := u.Redacted()
	switch {
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return endpoint{}, fmt.Errorf("%s: scheme %q is not http or https (OTLP/HTTP)", shown, u.Scheme)
	case u.Host == "":
		return endpoint{}, fmt.Errorf("%s: no host", shown)
	case u.RawQuery != "" || u.Fragment != "":
		if err := urlparams.Refuse(u.Query(), urlparams.OTLP, "Endpoint"); err != nil {
			return endpoint{}, fmt.Errorf("%s: %w", shown, err)
		}
		return endpoint{}, fmt.Errorf("%s: an OTLP endpoint has no query or fragment", shown)
	}
	var ep endpoint
	if u.User != nil {
		pw, _ := u.User.Password()
		ep.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw))
		u.User = nil
	}
	u.Scheme = strings.ToLower(u.Scheme)
	base := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), TracesPath)
	u.Path = base + TracesPath
	u.RawPath = ""
	ep.url = u.String()
	ep.shown = u.Host + base
	return ep, nil
}

// serviceName is the OpenTelemetry SDK's name for a service nobody named.
func defaultServiceName() string {
	exe, err := os.Executable()
	if err != nil || exe == "" {
		exe = os.Args[0]
	}
	return "unknown_service:" + filepath.Base(exe)
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v can be sent: no control characters but
// horizontal tabs.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

func sortedNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}
