package redissink

import (
	"cmp"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// Defaults for Config.
const (
	DefaultURL       = "redis://localhost:6379"
	DefaultStreamKey = "streamll_events"
	DefaultField     = "event"
	// DefaultBatchSize is the sink's default Options.BatchSize: one pipeline
	// of up to 1000 XADDs per round trip, which keeps a single connection
	// near what four connections with batches of 500 reach (see
	// docs/benchmarks.md). Quiet streams still go out event by event.
	DefaultBatchSize = 1000
)

// Config configures a Redis Streams sink. The zero value writes to the stream
// "streamll_events" on redis://localhost:6379, field "event", untrimmed.
type Config struct {
	// Options configure the host that runs the sink: filter, batching,
	// buffer, retries, circuit breaker, supervision. See sinks.Options for
	// their defaults.
	sinks.Options

	// URL locates the server: redis://[user[:password]@]host[:port][/db]
	// (default "redis://localhost:6379"), rediss://... for TLS, or
	// unix://[user[:password]@]/path/to/socket[?db=N]. Query parameters set
	// further client options as go-redis's ParseURL reads them, for example
	// ?dial_timeout=3s&pool_size=4. A setting of sink URLs (package
	// sinkurl), such as ?stream=, is refused with an error that names the
	// field to set instead: StreamKey, Options.BatchSize, ... Leave it empty
	// when Client is set.
	URL string

	// Cluster makes URL name a Redis Cluster: the URL is one seed node, and
	// more are given as ?addr=host:port parameters (go-redis's
	// ParseClusterURL), e.g. the value of REDIS_CLUSTER_URL. Default false.
	Cluster bool

	// Client is a client to use instead of dialing URL: a single node,
	// Sentinel failover, Ring or Cluster client. The caller owns it: the
	// sink never closes it, and the caller closes it after the sink's Close.
	// Set ContextTimeoutEnabled in its options so that a Write gives up when
	// its context does. Default nil (the sink dials URL and owns that client).
	Client redis.UniversalClient

	// TLS configures the TLS of a rediss:// URL: RootCAs to verify a server
	// whose certificate a private CA signed, Certificates for mutual TLS, a
	// ServerName other than the URL's host. The sink uses a copy. It
	// requires a rediss:// URL, and the URL's ?skip_verify=true still
	// applies. Default nil: rediss:// verifies the server against the
	// system's roots, under the URL's host name.
	TLS *tls.Config

	// StreamKey is the stream written to. Default "streamll_events". It may be
	// a template that names one stream per event with the placeholders
	// {event_type}, {operation}, {module_name}, {method_name} and {tag:NAME};
	// a placeholder whose value is empty becomes "unknown", and "{{" and "}}"
	// stand for literal braces (a Cluster hash tag). An unknown placeholder is
	// a configuration error.
	StreamKey string

	// Field is the name of the stream entry's one field, holding the event's
	// JSON. Default "event", which the seed's consumers read
	// (fields[b'event']); the last Python streamll wrote "message".
	Field string

	// MaxLen trims each stream to about MaxLen entries (XADD MAXLEN ~ MaxLen):
	// Redis trims whole internal nodes, so a stream keeps at least MaxLen
	// entries and a node's worth more at most. Default 0: no trimming.
	MaxLen int64

	// Logger receives the sink's own log lines: Redis reached, and Redis
	// unreachable (once per outage, with the error). Default nil: the bus's
	// logger, which the bus gives every sink labelled with its name (see
	// sinks.Logging), so one logger serves the whole bus; set it to send
	// this sink's lines elsewhere (they are labelled sink=<name> too).
	// go-redis's own process-wide logger is another matter: see
	// SetClientLogger.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.URL == "" && c.Client == nil {
		c.URL = DefaultURL
	}
	if c.StreamKey == "" {
		c.StreamKey = DefaultStreamKey
	}
	if c.Field == "" {
		c.Field = DefaultField
	}
	c.Options = c.Options.DefaultBatch(DefaultBatchSize)
	return c
}

// validate reports every error in c (with defaults applied), each wrapping
// sinks.ErrInvalidConfig.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: redissink: %s", sinks.ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if err := c.Options.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Client != nil && c.URL != "" {
		bad("set either Client or URL, not both")
	}
	if c.Client != nil && c.Cluster {
		bad("Cluster applies to URL; a Client is used as it is")
	}
	if c.Client != nil && c.TLS != nil {
		bad("TLS applies to URL; a Client is used as it is")
	}
	if c.MaxLen < 0 {
		bad("MaxLen %d is negative", c.MaxLen)
	}
	if _, err := parseStreamKey(c.StreamKey); err != nil {
		bad("StreamKey %q: %v", c.StreamKey, err)
	}
	return errors.Join(errs...)
}

// dial builds the client for rawURL without connecting. Its errors wrap
// sinks.ErrInvalidConfig and never contain the URL's password.
func dial(rawURL string, cluster bool, own *tls.Config, tracked *conns) (redis.UniversalClient, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: redissink: URL is not a valid URL%s", sinks.ErrInvalidConfig, parseDetail(rawURL, err))
	}
	redacted := u.Redacted()
	invalid := func(err error) error {
		return fmt.Errorf("%w: redissink: URL %s: %s", sinks.ErrInvalidConfig, redacted, scrub(err.Error(), u))
	}
	switch {
	case u.Scheme == "unix" && cluster:
		return nil, invalid(errors.New("a cluster is reached over TCP (redis:// or rediss://), not a unix socket"))
	case u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix":
		return nil, invalid(fmt.Errorf("scheme %q is not redis, rediss or unix", u.Scheme))
	case u.Scheme != "unix" && u.Host == "":
		return nil, invalid(errors.New("no host"))
	case own != nil && u.Scheme != "rediss":
		return nil, invalid(fmt.Errorf("TLS is set, and a %s:// URL does not use it: use rediss://", u.Scheme))
	}
	if err := netaddr.CheckPort(u); err != nil {
		return nil, invalid(err)
	}
	q := u.Query()
	if err := urlparams.Refuse(q, urlparams.Redis, "URL"); err != nil {
		return nil, invalid(err)
	}
	if cluster {
		opts, err := redis.ParseClusterURL(rawURL)
		if err != nil {
			return nil, invalid(err)
		}
		tune(q, &opts.ContextTimeoutEnabled, &opts.MaintNotificationsConfig, &opts.MaxRetries, &opts.DialerRetries)
		opts.TLSConfig = withOwnTLS(own, opts.TLSConfig)
		opts.Dialer = tracked.dialer(opts.TLSConfig)
		return redis.NewClusterClient(opts), nil
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, invalid(err)
	}
	tune(q, &opts.ContextTimeoutEnabled, &opts.MaintNotificationsConfig, &opts.MaxRetries, &opts.DialerRetries)
	opts.TLSConfig = withOwnTLS(own, opts.TLSConfig)
	opts.Dialer = tracked.dialer(opts.TLSConfig)
	return redis.NewClient(opts), nil
}

// withOwnTLS returns the TLS configuration of the sink's own client: the
// URL's (nil for redis://), or a copy of own with the URL's server name and
// skip_verify wherever own leaves them out.
func withOwnTLS(own, fromURL *tls.Config) *tls.Config {
	if own == nil || fromURL == nil {
		return fromURL
	}
	c := own.Clone()
	c.ServerName = cmp.Or(c.ServerName, fromURL.ServerName)
	c.InsecureSkipVerify = c.InsecureSkipVerify || fromURL.InsecureSkipVerify
	if c.MinVersion == 0 {
		c.MinVersion = fromURL.MinVersion
	}
	return c
}

// tune sets what the sink's own client needs, single node or cluster alike.
// Socket deadlines follow each Write's context. The host retries failed
// batches with backoff, behind its breaker; a client that also retried on its
// own would multiply every timeout and could send a half-delivered pipeline
// again, so it never retries commands (max_retries in the URL is the host's
// setting, refused here), and re-dials only if the URL's dialer_retries asks.
func tune(q url.Values, contextTimeout *bool, maint **maintnotifications.Config, maxRetries, dialerRetries *int) {
	*contextTimeout = true
	*maint = noMaintNotifications()
	*maxRetries = -1
	if !q.Has("dialer_retries") {
		*dialerRetries = 1
	}
}

// noMaintNotifications turns off go-redis's maintenance notifications (a
// Redis Enterprise/Cloud feature). With them on, building a client resolves
// the host name to classify the endpoint, which can block New for seconds and
// leaves lookup goroutines behind.
func noMaintNotifications() *maintnotifications.Config {
	return &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
}

// parseDetail explains why url.Parse refused rawURL, unless the URL holds
// credentials: url.Error quotes the whole URL, and even its inner message can
// quote a piece of a malformed password.
func parseDetail(rawURL string, err error) string {
	if strings.Contains(rawURL, "@") {
		return " (details withheld: it contains credentials)"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return ": " + err.Error()
}

// scrub removes u's password from msg, in case an error quotes it.
func scrub(msg string, u *url.URL) string {
	if pw, ok := u.User.Password(); ok && pw != "" {
		msg = strings.ReplaceAll(msg, pw, "xxxxx")
	}
	return msg
}
