package natssink

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Defaults for Config.
const (
	DefaultURL           = "nats://127.0.0.1:4222"
	DefaultStream        = "streamll"
	DefaultSubject       = "streamll.{event_type}"
	DefaultWindow        = 1000
	DefaultDialTimeout   = 3 * time.Second
	DefaultReconnectWait = 250 * time.Millisecond
	DefaultPingInterval  = 5 * time.Second
	// DefaultConnectionName is the name the server shows for the sink's
	// connections (nats server report connections, the monitoring port).
	DefaultConnectionName = "streamll-go"
)

// Config configures a NATS JetStream sink. The zero value publishes to the
// existing stream "streamll" on nats://127.0.0.1:4222, one message per event
// on the subject "streamll.<event_type>", with at most 1000 acks
// outstanding.
type Config struct {
	// Options configure the host that runs the sink: filter, batching,
	// buffer, retries, circuit breaker, supervision. See sinks.Options for
	// their defaults; BatchSize defaults to Window here.
	sinks.Options

	// URL locates the servers: nats://[user:password@]host:port, or
	// nats://token@host:port, or tls://... for TLS (ws:// and wss:// work
	// too). Several servers of one cluster may be given separated by commas,
	// as NATS_URL often holds them; the client fails over between them and
	// learns the rest of the cluster from the servers. Default
	// "nats://127.0.0.1:4222" when URLs and Conn are unset too.
	URL string

	// URLs lists more servers, tried after those in URL. Default none.
	URLs []string

	// Conn is a connection to use instead of dialing URL. The caller owns
	// it: the sink never closes it, Rebuild reuses it, and the caller
	// closes it after the sink's Close. Its reconnect settings are the
	// caller's; set nats.ReconnectBufSize(-1) on it so that a publish while
	// it is reconnecting fails at once instead of waiting in the client's
	// buffer. Default nil (the sink dials and owns its connection). With
	// Conn set, the connection and credential fields below must be unset.
	Conn *nats.Conn

	// Stream is the JetStream stream the events must land in. It must
	// exist, unless CreateStream is set. Every subject the sink publishes
	// on is checked against the stream's subjects (read when the sink
	// connects); an event whose subject the stream does not bind is
	// dropped as a permanent error rather than published where it would be
	// lost or land in another stream. Default CreateStream.Name, else
	// "streamll".
	Stream string

	// Subject is the template of each message's subject. Placeholders
	// {event_type}, {operation}, {module_name}, {method_name},
	// {execution_id} and {tag:NAME} are replaced by the event's values, each
	// made into exactly one subject token (see the package documentation);
	// "{{" and "}}" stand for literal braces. An unknown placeholder, an
	// empty token or a wildcard is a configuration error. Default
	// "streamll.{event_type}".
	Subject string

	// CreateStream, when set, is the configuration of a stream the sink
	// creates when Stream does not exist. Its Name defaults to Stream and
	// its Subjects to the Subject template with each token that holds a
	// placeholder replaced by '*' ("streamll.*" for the default). An
	// existing stream is used as it is and never updated. Default nil: the
	// stream must exist, and a missing one is ErrStreamNotFound.
	CreateStream *jetstream.StreamConfig

	// Window is the most messages the sink keeps published but not yet
	// acknowledged by the stream. Default 1000.
	Window int

	// DialTimeout bounds connecting to one server, the TLS handshake
	// included. Default 3s.
	DialTimeout time.Duration

	// ReconnectWait is how long the client waits before trying a server
	// again after losing its connection (with jitter). The client keeps
	// reconnecting for as long as the sink is open; publishing meanwhile
	// fails at once, and the host retries. Default 250ms.
	ReconnectWait time.Duration

	// PingInterval is how often the client checks an idle connection; two
	// unanswered pings mark it stale and start a reconnect. A Write whose
	// acks time out checks the connection at once on the next Write.
	// Default 5s.
	PingInterval time.Duration

	// NoRandomize makes the client try the servers in the order given,
	// instead of shuffling them so that many producers spread over a
	// cluster. Default false.
	NoRandomize bool

	// ConnectionName is the name the server shows for the connection.
	// Default "streamll-go".
	ConnectionName string

	// User and Password authenticate with a user name and password, when
	// the URLs carry none. Default none.
	User, Password string

	// Token authenticates with a token, when the URLs carry none. Default
	// none.
	Token string

	// CredsFile is the path of a .creds file (a user JWT and its NKey seed)
	// for decentralized authentication. Default none.
	CredsFile string

	// TLS is the TLS configuration of the connection; setting it requires
	// TLS even on a nats:// URL. Default nil: TLS only for tls:// URLs or
	// when the server requires it, verified against the system's roots.
	TLS *tls.Config

	// CAFile, CertFile and KeyFile are PEM files: the roots that verify the
	// server, and a client certificate and its key for mutual TLS (both or
	// neither). They are read when the sink connects and require TLS.
	// Default none.
	CAFile, CertFile, KeyFile string

	// Logger receives the sink's own log lines: connected, disconnected, reconnected, closed,
	// client errors (server addresses, never credentials). Default nil: the
	// bus's logger, which the bus gives every sink labelled with its name
	// (see sinks.Logging), so one logger serves the whole bus; set it to send
	// this sink's lines elsewhere (they are labelled sink=<name> too).
	Logger *slog.Logger
}

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	if c.URL == "" && len(c.URLs) == 0 && c.Conn == nil {
		c.URL = DefaultURL
	}
	if c.Stream == "" {
		c.Stream = DefaultStream
		if c.CreateStream != nil && c.CreateStream.Name != "" {
			c.Stream = c.CreateStream.Name
		}
	}
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	// A Write waits for its batch's acks, so batches as large as the window
	// keep the window full.
	c.Options = c.Options.DefaultBatch(c.Window)
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.ReconnectWait == 0 {
		c.ReconnectWait = DefaultReconnectWait
	}
	if c.PingInterval == 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.ConnectionName == "" {
		c.ConnectionName = DefaultConnectionName
	}
	return c
}

// validate reports every error in c (defaults applied) except those of the
// URLs, each wrapping sinks.ErrInvalidConfig. No message quotes a secret.
func (c Config) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: natssink: %s", sinks.ErrInvalidConfig, fmt.Sprintf(format, args...)))
	}
	if err := c.Options.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := checkStreamName(c.Stream); err != nil {
		bad("Stream %q: %v", c.Stream, err)
	}
	if sc := c.CreateStream; sc != nil && sc.Name != "" && sc.Name != c.Stream {
		bad("CreateStream.Name %q differs from Stream %q; set one of them", sc.Name, c.Stream)
	}
	if _, err := parseSubject(c.Subject); err != nil {
		bad("Subject %q: %v", c.Subject, err)
	}
	if c.Window < 0 {
		bad("Window %d is negative", c.Window)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"DialTimeout", c.DialTimeout}, {"ReconnectWait", c.ReconnectWait}, {"PingInterval", c.PingInterval}} {
		if d.v < 0 {
			bad("%s %v is negative", d.name, d.v)
		}
	}
	if c.Conn != nil {
		var set []string
		for _, f := range []struct {
			name string
			set  bool
		}{
			{"URL", c.URL != ""}, {"URLs", len(c.URLs) > 0}, {"User", c.User != ""}, {"Password", c.Password != ""},
			{"Token", c.Token != ""}, {"CredsFile", c.CredsFile != ""}, {"TLS", c.TLS != nil},
			{"CAFile", c.CAFile != ""}, {"CertFile", c.CertFile != ""}, {"KeyFile", c.KeyFile != ""},
		} {
			if f.set {
				set = append(set, f.name)
			}
		}
		if len(set) > 0 {
			bad("Conn is a connection the caller made; %s apply only to the sink's own (unset them or Conn)", strings.Join(set, ", "))
		}
	}
	if c.Password != "" && c.User == "" {
		bad("Password is set without User")
	}
	if c.Token != "" && (c.User != "" || c.CredsFile != "") {
		bad("Token, User and CredsFile are different ways to authenticate; set one")
	}
	if c.User != "" && c.CredsFile != "" {
		bad("User and CredsFile are different ways to authenticate; set one")
	}
	if (c.CertFile == "") != (c.KeyFile == "") {
		bad("CertFile and KeyFile go together (a client certificate and its key)")
	}
	return errors.Join(errs...)
}

// checkStreamName applies the server's rules for stream names.
func checkStreamName(name string) error {
	if len(name) > 255 {
		return fmt.Errorf("%d bytes, over the 255 a stream name may have", len(name))
	}
	if i := strings.IndexFunc(name, func(r rune) bool {
		return r <= ' ' || r == 0x7f || strings.ContainsRune(".*>/\\", r)
	}); i >= 0 {
		return fmt.Errorf("a stream name cannot contain %q", name[i:i+1])
	}
	return nil
}

// streamConfig returns the configuration of the stream to create, its name
// and subjects filled in.
func (c Config) streamConfig(subject *subject) jetstream.StreamConfig {
	sc := *c.CreateStream
	sc.Name = c.Stream
	if len(sc.Subjects) == 0 {
		sc.Subjects = []string{subject.filter()}
	}
	return sc
}
