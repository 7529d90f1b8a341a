package natssink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/sinklog"
)

// Sink publishes events to a JetStream stream, each acknowledged by the
// stream before it counts as delivered. Make one with New. The host calls
// Write and Close from one goroutine at a time.
type Sink struct {
	cfg     Config
	servers []server
	subject *subject
	name    string
	log     *sinklog.Logger
	scrub   scrubber

	// The connection, and what the sink knows of the stream through it.
	// Written by the Write goroutine only (and by Close).
	nc      *nats.Conn
	owned   bool // the sink dialed nc and closes it
	js      jetstream.JetStream
	stream  *binding        // nil until the stream was looked up
	dialing chan dialResult // non-nil while a dial outlives the Write that began it
	state   health          // what earlier Writes learnt about the connection
	closed  atomic.Bool
	stats   *counters

	batch batchState // reused by every Write
}

// health is what the sink remembers between Writes about the connection.
type health struct {
	// probe: the next Write sends one event and waits for its ack before
	// it opens the window, because the sink is new or the last Write
	// failed. Events published behind one the stream did not store could
	// be stored before its retry, out of order; one acked message proves
	// the stream has a leader that stores what follows.
	probe bool
	// suspect: acks timed out on the last Write, so the next one first
	// checks that the server still answers on this connection.
	suspect bool
	// recheck: the stream did not answer; look it up again before
	// publishing, so that a deleted stream is reported as missing.
	recheck bool
}

// counters are read by Reconnects from any goroutine and written by the
// client's callbacks.
type counters struct {
	reconnects atomic.Uint64
}

type dialResult struct {
	nc  *nats.Conn
	err error
}

var _ sinks.Configured = (*Sink)(nil)

// New validates cfg and returns a sink. It does no network I/O: the first
// Write connects, looks up the stream (creating it if CreateStream says so)
// and publishes. Every configuration error wraps sinks.ErrInvalidConfig,
// and none contains a password or a token.
func New(cfg Config) (*Sink, error) {
	cfg = cfg.withDefaults()
	servers, serversErr := parseServers(cfg.URL, cfg.URLs)
	if err := errors.Join(serversErr, cfg.validate()); err != nil {
		return nil, err
	}
	subj, _ := parseSubject(cfg.Subject) // validate checked it
	s := &Sink{
		cfg:     cfg,
		servers: servers,
		subject: subj,
		name:    "nats:" + cfg.Stream,
		log:     sinklog.New(cfg.Logger, cmp.Or(cfg.Options.Name, "nats:"+cfg.Stream)),
		scrub:   scrubber(cfg.secrets(servers)),
		nc:      cfg.Conn,
		state:   health{probe: true},
		stats:   &counters{},
	}
	return s, nil
}

// LogTo logs to l, the bus's logger for this sink, unless Config.Logger is
// set; the host calls it (see sinks.Logging).
func (s *Sink) LogTo(l *slog.Logger) { s.log.LogTo(l) }

// Name returns "nats:" and the stream's name, such as "nats:streamll".
func (s *Sink) Name() string { return s.name }

// Destination says where the sink publishes: the servers (without
// credentials), or the Config.Conn, the stream and the subject, such as
// "nats://127.0.0.1:4222 stream streamll subject streamll.{event_type}". A
// bus refuses a second sink with the same destination unless Options.Name
// tells them apart.
func (s *Sink) Destination() string {
	where := fmt.Sprintf("the Config.Conn at %p", s.cfg.Conn)
	if s.cfg.Conn == nil {
		urls := make([]string, len(s.servers))
		for i, sv := range s.servers {
			urls[i] = sv.url
		}
		where = netaddr.Place(urls...)
	}
	return where + " stream " + s.cfg.Stream + " subject " + s.cfg.Subject
}

// HostOptions returns the host options of the Config, BatchSize defaulted
// to Window.
func (s *Sink) HostOptions() sinks.Options { return s.cfg.Options }

// Reconnects returns how many times the sink's own connection reconnected,
// after losing its server or finding it stale; 0 for a Config.Conn. It is
// safe to call from any goroutine.
func (s *Sink) Reconnects() uint64 { return s.stats.reconnects.Load() }

// Rebuild closes s and returns a fresh sink from the same configuration:
// a new connection (or the same Config.Conn, which the caller owns), no
// memory of the stream, and a first Write that probes. The host calls it
// to restart a driver that panicked.
func (s *Sink) Rebuild(ctx context.Context) (sinks.Sink, error) {
	_ = s.Close(ctx)
	return New(s.cfg)
}

// Write publishes batch in order and waits for the stream to acknowledge
// every message, with at most Window unacknowledged at a time. It returns
// nil when every event was stored (a duplicate the stream recognised by
// its Nats-Msg-Id counts as stored); a *sinks.BatchError listing the events
// that were not, each with its reason; or a plain error when none was,
// such as when no server answered. It connects first if it has no
// connection. See the package documentation for the rules of order.
func (s *Sink) Write(ctx context.Context, batch []*events.Event) error {
	if s.closed.Load() {
		return sinks.ErrClosed
	}
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("natssink: %w", err)
	}
	if err := s.ready(ctx); err != nil {
		s.state.probe = true
		return s.scrub.error(err)
	}
	return s.scrub.error(s.publish(ctx, batch))
}

// ready makes sure the sink has a live connection and knows the stream.
func (s *Sink) ready(ctx context.Context) error {
	if s.nc != nil && s.owned && s.nc.IsClosed() {
		// The client gave up (repeated authentication failures): dial
		// afresh.
		s.forget()
	}
	if s.nc == nil {
		if err := s.connect(ctx); err != nil {
			return err
		}
	}
	if s.state.suspect {
		if err := s.checkAlive(ctx); err != nil {
			return err
		}
		s.state.suspect = false
	}
	if s.js == nil {
		js, err := jetstream.New(s.nc, jetstream.WithPublishAsyncMaxPending(s.cfg.Window))
		if err != nil {
			return fmt.Errorf("%w: %w", ErrConnect, err)
		}
		s.js = js
	}
	if s.stream == nil || s.state.recheck {
		if err := s.lookupStream(ctx); err != nil {
			return err
		}
		s.state.recheck = false
	}
	return nil
}

// checkAlive sends a PING and waits for the PONG. A server that does not
// answer within a second (or the context) is taken as gone: the client is
// told to reconnect, and the Write fails.
func (s *Sink) checkAlive(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := s.nc.FlushWithContext(ctx)
	if err == nil {
		return nil
	}
	if s.owned {
		s.log.Warn("natssink: the server does not answer; reconnecting", "server", s.nc.ConnectedAddr())
		_ = s.nc.ForceReconnect()
	}
	return fmt.Errorf("%w: the server did not answer a ping: %w", ErrConnectionLost, err)
}

// lookupStream reads the stream's subjects, creating the stream if it is
// missing and CreateStream is set.
func (s *Sink) lookupStream(ctx context.Context) error {
	st, err := s.js.Stream(ctx, s.cfg.Stream)
	if errors.Is(err, jetstream.ErrStreamNotFound) && s.cfg.CreateStream != nil {
		st, err = s.js.CreateStream(ctx, s.cfg.streamConfig(s.subject))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			st, err = s.js.Stream(ctx, s.cfg.Stream) // another producer made it first
		} else if err == nil {
			s.log.Info("natssink: created the stream", "stream", s.cfg.Stream, "subjects", st.CachedInfo().Config.Subjects)
		}
	}
	switch {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		return fmt.Errorf("%w: %q (create it, or set Config.CreateStream)", ErrStreamNotFound, s.cfg.Stream)
	case errors.Is(err, jetstream.ErrNoStreamResponse), errors.Is(err, nats.ErrNoResponders):
		return fmt.Errorf("%w: looking up stream %q: JetStream did not answer: %w", ErrNoResponse, s.cfg.Stream, err)
	case err != nil:
		return fmt.Errorf("natssink: looking up stream %q: %w", s.cfg.Stream, err)
	}
	subjects := st.CachedInfo().Config.Subjects
	s.stream = newBinding(subjects)
	if fixed, ok := s.subject.tmpl.Fixed(); ok && !s.stream.binds(fixed) {
		s.log.Warn("natssink: the stream does not bind the subject; events are dropped", "stream", s.cfg.Stream, "subject", fixed, "stream_subjects", subjects)
	}
	return nil
}

// connect dials the servers, or waits for a dial an earlier Write began,
// until ctx ends. The dial runs on its own goroutine because nats.go's
// takes no context; Close waits for it.
func (s *Sink) connect(ctx context.Context) error {
	if s.dialing == nil {
		opts, err := s.options()
		if err != nil {
			return err
		}
		done := make(chan dialResult, 1)
		s.dialing = done
		go func() {
			nc, err := opts.Connect()
			done <- dialResult{nc, err}
		}()
	}
	select {
	case r := <-s.dialing:
		s.dialing = nil
		if r.err != nil {
			return fmt.Errorf("%w to %s: %w", ErrConnect, s.serverList(), r.err)
		}
		s.nc, s.owned = r.nc, true
		s.log.Info("natssink: connected", "server", r.nc.ConnectedAddr(), "server_name", r.nc.ConnectedServerName())
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%w to %s: %w", ErrConnect, s.serverList(), ctx.Err())
	}
}

// serverList names the configured servers, without credentials.
func (s *Sink) serverList() string {
	list := ""
	for i, sv := range s.servers {
		if i > 0 {
			list += ", "
		}
		list += sv.redacted
	}
	return list
}

// options builds the client's options from the configuration.
func (s *Sink) options() (nats.Options, error) {
	c := s.cfg
	o := nats.GetDefaultOptions()
	o.Servers = make([]string, len(s.servers))
	for i, sv := range s.servers {
		o.Servers[i] = sv.url
	}
	o.Name = c.ConnectionName
	o.Timeout = c.DialTimeout
	o.CustomDialer = &rawDialer{net.Dialer{Timeout: c.DialTimeout}}
	o.ReconnectWait = c.ReconnectWait
	o.MaxReconnect = -1     // for as long as the sink is open
	o.ReconnectBufSize = -1 // fail a publish while reconnecting: the host holds the events
	o.PingInterval = c.PingInterval
	o.MaxPingsOut = 2
	o.NoRandomize = c.NoRandomize
	o.User, o.Password, o.Token = c.User, c.Password, c.Token
	set := []nats.Option{
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err != nil {
				s.log.Warn("natssink: disconnected; reconnecting", "error", s.scrub.string(err.Error()))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			s.stats.reconnects.Add(1)
			s.log.Info("natssink: reconnected", "server", nc.ConnectedAddr(), "server_name", nc.ConnectedServerName())
		}),
		nats.ClosedHandler(func(nc *nats.Conn) {
			if err := nc.LastError(); err != nil {
				s.log.Warn("natssink: connection closed", "error", s.scrub.string(err.Error()))
			}
		}),
		nats.ErrorHandler(func(nc *nats.Conn, _ *nats.Subscription, err error) {
			s.log.Warn("natssink: client error", "error", s.scrub.string(err.Error()))
		}),
	}
	if c.CredsFile != "" {
		set = append(set, nats.UserCredentials(c.CredsFile))
	}
	if c.TLS != nil {
		set = append(set, nats.Secure(c.TLS))
	}
	if c.CAFile != "" {
		set = append(set, nats.RootCAs(c.CAFile))
	}
	if c.CertFile != "" {
		set = append(set, nats.ClientCert(c.CertFile, c.KeyFile))
	}
	for _, opt := range set {
		if err := opt(&o); err != nil {
			return o, fmt.Errorf("%w: %w", ErrConnect, err)
		}
	}
	return o, nil
}

// forget drops the sink's connection and what it knew through it.
func (s *Sink) forget() {
	if s.js != nil {
		s.js.CleanupPublisher()
	}
	if s.owned && s.nc != nil {
		s.nc.Close()
	}
	if s.owned {
		s.nc = nil
	}
	s.js, s.stream = nil, nil
	s.state = health{probe: true}
}

// Close closes the sink's connection, or leaves a Config.Conn open for its
// owner. The sink holds no events of its own (Write returns only once its
// batch is settled), so there is nothing to flush. Later Writes fail with
// sinks.ErrClosed; a second Close returns nil. A dial still under way is
// awaited, within ctx, and its connection closed.
func (s *Sink) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.dialing != nil {
		select {
		case r := <-s.dialing:
			if r.nc != nil {
				r.nc.Close()
			}
		case <-ctx.Done():
			// The dial ends within DialTimeout per server; its connection
			// would leak, so close it when it comes.
			go func(done <-chan dialResult) {
				if r := <-done; r.nc != nil {
					r.nc.Close()
				}
			}(s.dialing)
		}
		s.dialing = nil
	}
	s.forget()
	return nil
}
