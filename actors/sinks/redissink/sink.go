package redissink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/keytemplate"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/sinklog"
)

// Sink writes batches of events to Redis Streams, one XADD per event, all of a
// batch in one pipelined round trip. Create it with New; the host calls Write
// and Close from one goroutine at a time.
type Sink struct {
	cfg    Config // as given to New, defaults applied: Rebuild makes a new Sink from it
	opts   sinks.Options
	name   string
	place  string // Destination
	server string // where the client goes, for log lines: no credentials
	log    *sinklog.Logger
	reach  reach // what the last round trip found; the writer's alone
	client redis.UniversalClient
	owned  bool   // the sink created client and closes it
	conns  *conns // the connections of an owned client, to interrupt a Write
	pipe   redis.Pipeliner
	key    *keytemplate.Template
	closed atomic.Bool

	// prefix is the argument list of one XADD, constants filled in; the
	// stream key (index keyArg) and the payload (the last) vary per event.
	prefix []any

	// Reused across Writes, so that a steady stream of batches allocates
	// only the command objects go-redis needs.
	buf      []byte
	ends     []int
	payloads []payload
	keys     []string
	args     []any
	cmds     []*redis.StringCmd
	cmders   []redis.Cmder
}

// keyArg is the position of the stream key in an XADD.
const keyArg = 1

// payload is one event's encoding, a slice of the Sink's buffer. go-redis
// writes a *payload through MarshalBinary, so putting it in an argument list
// neither copies the bytes nor allocates an interface box.
type payload []byte

// MarshalBinary returns the encoding as it is.
func (p *payload) MarshalBinary() ([]byte, error) { return *p, nil }

// New validates cfg and returns a sink. It does not connect: the first Write
// does, so New neither blocks nor needs the server up. Every configuration
// error wraps sinks.ErrInvalidConfig and none contains the URL's password.
func New(cfg Config) (*Sink, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	key, _ := parseStreamKey(cfg.StreamKey) // validated above
	s := &Sink{
		cfg:    cfg,
		opts:   cfg.Options,
		name:   "redis:" + cfg.StreamKey,
		client: cfg.Client,
		key:    key,
	}
	where := netaddr.Place(cfg.URL)
	if cfg.Client != nil {
		where = fmt.Sprintf("the Config.Client at %p", cfg.Client)
	}
	if cfg.Cluster {
		where = "cluster " + where
	}
	s.place = where + " stream " + cfg.StreamKey
	s.server = where
	s.log = sinklog.New(cfg.Logger, cmp.Or(cfg.Options.Name, s.name))
	if s.client == nil {
		s.conns = newConns()
		c, err := dial(cfg.URL, cfg.Cluster, cfg.TLS, s.conns)
		if err != nil {
			return nil, err
		}
		s.client, s.owned = c, true
	}
	s.pipe = s.client.Pipeline()
	fixed, _ := key.Fixed() // "" when templated: queue sets each key
	s.prefix = []any{"xadd", fixed}
	if cfg.MaxLen > 0 {
		s.prefix = append(s.prefix, "maxlen", "~", strconv.FormatInt(cfg.MaxLen, 10))
	}
	s.prefix = append(s.prefix, "*", cfg.Field, nil)
	return s, nil
}

// Name returns "redis:" and the configured stream key or template.
func (s *Sink) Name() string { return s.name }

// LogTo logs to l, the bus's logger for this sink, unless Config.Logger is
// set; the host calls it (see sinks.Logging).
func (s *Sink) LogTo(l *slog.Logger) { s.log.LogTo(l) }

// Destination says where the sink writes: the server (without credentials),
// or the Config.Client, and the stream key, such as
// "redis://localhost:6379 stream streamll_events". A bus refuses a second
// sink with the same destination unless Options.Name tells them apart.
func (s *Sink) Destination() string { return s.place }

// HostOptions returns the host options embedded in the Config.
func (s *Sink) HostOptions() sinks.Options { return s.opts }

// Write appends each event of batch to its stream, in order, in one pipelined
// round trip. It returns nil when every event was appended, a *sinks.BatchError
// listing the events Redis did not append when it answered some of them with
// an error or the connection broke part way, and otherwise an error for the
// whole batch, marked sinks.Permanent when retrying cannot help. See the
// package documentation for the rules.
func (s *Sink) Write(ctx context.Context, batch []*events.Event) error {
	if s.closed.Load() {
		return sinks.ErrClosed
	}
	if len(batch) == 0 {
		return nil
	}
	if s.conns != nil {
		// Close giving up on this Write cancels ctx: end the round trip
		// now rather than when the socket times out.
		stop := context.AfterFunc(ctx, s.conns.interrupt)
		defer stop()
	}
	s.queue(ctx, batch)
	_ = s.pipe.BatchProcess(ctx, s.cmders...)
	_, execErr := s.pipe.Exec(ctx)
	err := s.outcome(batch, execErr)
	s.release()
	return err
}

// maxKeptBuffer bounds the encoding buffer a sink keeps between Writes, so
// that one batch of huge events does not pin its memory for good.
const maxKeptBuffer = 4 << 20

// release drops what the finished Write no longer needs: the commands (and
// through them the context), the payload slices, and an oversized buffer.
func (s *Sink) release() {
	clear(s.cmds)
	clear(s.cmders)
	clear(s.payloads)
	if cap(s.buf) > maxKeptBuffer {
		s.buf = nil
	}
}

// queue encodes batch and builds one XADD command per event. The payloads
// alias s.buf, which the next Write overwrites: that is safe because go-redis
// has written every argument by the time Exec returns and keeps none.
func (s *Sink) queue(ctx context.Context, batch []*events.Event) {
	n := len(batch)
	s.buf = s.buf[:0]
	s.ends = s.ends[:0]
	for _, ev := range batch {
		s.buf = events.AppendJSON(s.buf, ev)
		s.ends = append(s.ends, len(s.buf))
	}
	per := len(s.prefix)
	if cap(s.payloads) < n {
		s.payloads = make([]payload, n)
		s.keys = make([]string, n)
		s.cmds = make([]*redis.StringCmd, n)
		s.cmders = make([]redis.Cmder, n)
		s.args = make([]any, n*per)
		for i := range n {
			copy(s.args[i*per:], s.prefix)
		}
	}
	s.payloads, s.keys = s.payloads[:n], s.keys[:n]
	s.cmds, s.cmders = s.cmds[:n], s.cmders[:n]
	start := 0
	for i, ev := range batch {
		s.payloads[i] = s.buf[start:s.ends[i]:s.ends[i]]
		start = s.ends[i]
		args := s.args[i*per : (i+1)*per : (i+1)*per]
		if _, fixed := s.key.Fixed(); !fixed {
			s.keys[i] = s.key.Render(ev, nil)
			args[keyArg] = &s.keys[i]
		}
		args[per-1] = &s.payloads[i]
		cmd := redis.NewStringCmd(ctx, args...)
		s.cmds[i], s.cmders[i] = cmd, cmd
	}
}

// outcome turns the replies of the batch's commands into Write's result.
//
// An XADD that returned an entry ID was appended, whatever error go-redis
// stamped on it afterwards (when a connection breaks part way through the
// replies, go-redis marks every command of the pipeline with the network
// error, also those whose reply had already arrived). Every other command
// failed: with its own error reply, or with the pipeline's error.
func (s *Sink) outcome(batch []*events.Event, execErr error) error {
	var (
		failed    []sinks.Failure
		delivered int
		replied   bool // some command failed with its own error reply
	)
	defer func() {
		if delivered > 0 || replied {
			s.note(reachOK, nil)
		}
	}()
	for i, cmd := range s.cmds {
		if cmd.Val() != "" {
			delivered++
			continue
		}
		err := cmd.Err()
		if err == nil {
			err = execErr
		}
		if err == nil {
			err = errors.New("no reply")
		}
		var reply redis.Error
		if errors.As(err, &reply) && cmd.Err() != nil {
			replied = true
		}
		failed = append(failed, sinks.Failure{Index: i, Err: err})
	}
	if len(failed) == 0 {
		return nil
	}
	if delivered == 0 && !replied {
		// The round trip failed as a whole: nothing is known appended.
		s.note(reachNone, failed[0].Err)
		return s.wrap(fmt.Sprintf("%s (%d events)", s.key.String(), len(batch)), failed[0].Err)
	}
	for i := range failed {
		f := &failed[i]
		f.Err = s.wrap(s.keyOf(f.Index), f.Err)
	}
	return &sinks.BatchError{Failed: failed}
}

func (s *Sink) keyOf(i int) string {
	if key, fixed := s.key.Fixed(); fixed {
		return key
	}
	return s.keys[i]
}

// wrap names the stream in err and marks it permanent when retrying cannot
// help. Redis errors never contain credentials.
func (s *Sink) wrap(key string, err error) error {
	err = fmt.Errorf("redissink: XADD %s: %w", key, err)
	if !classify(err) {
		return sinks.Permanent(err)
	}
	return err
}

// Close marks the sink closed, so that later Writes fail with
// sinks.ErrClosed, and closes the client if the sink created it; a client
// given in Config.Client stays open for its owner to close. Write holds
// nothing back, so there is nothing to flush. Calling Close again returns nil.
func (s *Sink) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if !s.owned {
		return nil
	}
	if err := s.client.Close(); err != nil {
		return fmt.Errorf("redissink: close: %w", err)
	}
	return nil
}

// reach is what the sink last found of Redis.
type reach int

const (
	reachUnknown reach = iota // no round trip yet
	reachOK                   // Redis answered
	reachNone                 // a round trip failed as a whole
)

// note records what a round trip found and logs a change: Redis reached (at
// first, or again after an outage) and Redis unreachable, once per outage.
// The host's breaker and retries say the rest.
func (s *Sink) note(r reach, err error) {
	if r == s.reach {
		return
	}
	s.reach = r
	switch r {
	case reachOK:
		s.log.Info("redissink: writing to Redis", "server", s.server)
	case reachNone:
		s.log.Warn("redissink: Redis unreachable; the host retries", "server", s.server, "error", sinks.Redact(err.Error()))
	}
}
