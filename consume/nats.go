package consume

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of NATSConfig.
const (
	DefaultNATSURL     = "nats://127.0.0.1:4222"
	DefaultNATSSubject = "streamll.>"
	DefaultAckWait     = 30 * time.Second
	// ephemeralIdle is how long the server keeps an ephemeral consumer of a
	// consumer that went away without deleting it.
	ephemeralIdle = time.Minute
)

// NATSConfig configures a pull consumer of a NATS JetStream stream. The
// zero value reads new messages of the stream that holds streamll.> on
// 127.0.0.1:4222, through an ephemeral consumer.
//
// Each message's body is one wire-format event, as the NATS sink publishes
// it on subjects such as streamll.{module_name}.{event_type}; its headers
// (event_type, operation, module_name) are not needed to decode it.
type NATSConfig struct {
	// Options are the settings every consumer shares. Options.From is
	// FromNow, FromBeginning or a stream sequence number (reading starts at
	// it). Options.Batch is also the consumer's MaxAckPending.
	Options
	// URL locates the server (comma-separated for a cluster). Ignored when
	// Conn is set. Default nats://127.0.0.1:4222.
	URL string
	// Conn is a connection the caller made and owns: the consumer uses it
	// and does not close it. Default nil: the consumer connects to URL and
	// closes the connection in Close.
	Conn *nats.Conn
	// Stream names the stream. Default: the stream that stores Subject.
	Stream string
	// Subject filters the stream's messages (wildcards allowed). Default
	// streamll.> when Stream is not set; every subject of Stream when it is.
	Subject string
	// Durable names a durable consumer, which the server keeps: its
	// position and unacknowledged messages survive this process, and other
	// processes using the same name share its messages. It is created at
	// From if it does not exist. Default "": an ephemeral consumer of this
	// process only, deleted in Close.
	Durable string
	// AckWait is how long the server waits for an acknowledgement before it
	// delivers a message again. Default 30s.
	AckWait time.Duration
}

type natsReader struct {
	cfg    NATSConfig
	name   string
	nc     *nats.Conn
	own    bool
	js     jetstream.JetStream
	cons   jetstream.Consumer
	stream string
	ephem  string // name of the ephemeral consumer to delete in close
}

// NewNATS connects, finds the stream and creates (or, if durable and
// existing, opens) the consumer: with From FromNow (the default), messages
// stored after NewNATS returns are read. Errors wrap ErrInvalidConfig or
// ErrConnect and show no password.
func NewNATS(ctx context.Context, cfg NATSConfig) (*Consumer, error) {
	cfg.Options = cfg.Options.withDefaults()
	if cfg.URL == "" {
		cfg.URL = DefaultNATSURL
	}
	if cfg.Subject == "" && cfg.Stream == "" {
		cfg.Subject = DefaultNATSSubject
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	cc := jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		FilterSubject: cfg.Subject,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxAckPending: cfg.Batch,
	}
	switch parseFrom(cfg.From) {
	case startNow:
		cc.DeliverPolicy = jetstream.DeliverNewPolicy
	case startBeginning:
		cc.DeliverPolicy = jetstream.DeliverAllPolicy
	default:
		seq, err := strconv.ParseUint(cfg.From, 10, 64)
		if err != nil || seq == 0 {
			return nil, fmt.Errorf("%w: From %q: want now, beginning or a stream sequence number", ErrInvalidConfig, cfg.From)
		}
		cc.DeliverPolicy, cc.OptStartSeq = jetstream.DeliverByStartSequencePolicy, seq
	}
	if cfg.Durable == "" {
		cc.InactiveThreshold = ephemeralIdle
	}

	r := &natsReader{cfg: cfg, nc: cfg.Conn}
	where := "nats"
	if r.nc == nil {
		nc, err := nats.Connect(cfg.URL, nats.Name(DefaultConnectionName), nats.MaxReconnects(-1))
		if err != nil {
			return nil, fmt.Errorf("%w: nats on %s: %s", ErrConnect, redactedHost(cfg.URL), scrub(cfg.URL, err))
		}
		r.nc, r.own = nc, true
		where = redactedHost(cfg.URL)
	}
	r.name = "nats " + where
	if err := r.open(ctx, cc); err != nil {
		_ = r.close()
		return nil, err
	}
	return newConsumer(r, cfg.Options), nil
}

func (r *natsReader) open(ctx context.Context, cc jetstream.ConsumerConfig) error {
	js, err := jetstream.New(r.nc)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrConnect, r, err)
	}
	r.js = js
	r.stream = r.cfg.Stream
	if r.stream == "" {
		if r.stream, err = js.StreamNameBySubject(ctx, r.cfg.Subject); err != nil {
			return fmt.Errorf("%w: %s: no stream stores %s (set stream=NAME): %w", ErrConnect, r, r.cfg.Subject, err)
		}
	}
	r.name = "nats stream " + r.stream
	if r.cfg.Subject != "" {
		r.name += " (" + r.cfg.Subject + ")"
	}
	r.name += " on " + redactedHost(r.cfg.URL)
	cons, err := js.CreateConsumer(ctx, r.stream, cc)
	if errors.Is(err, jetstream.ErrConsumerExists) && cc.Durable != "" {
		// An existing durable consumer goes on from where it is.
		cons, err = js.Consumer(ctx, r.stream, cc.Durable)
	}
	if err != nil {
		return fmt.Errorf("%w: %s: creating the consumer: %w", ErrConnect, r, err)
	}
	r.cons = cons
	if cc.Durable == "" {
		r.ephem = cons.CachedInfo().Name
	}
	return nil
}

func (r *natsReader) fetch(ctx context.Context, max int) ([]delivery, error) {
	fctx, cancel := context.WithTimeout(ctx, r.cfg.Wait)
	defer cancel()
	batch, err := r.cons.Fetch(max, jetstream.FetchContext(fctx))
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, r.lost(err)
	}
	var ds []delivery
	for m := range batch.Messages() {
		d := delivery{raw: m.Data(), source: m.Subject(), tag: m}
		if md, err := m.Metadata(); err == nil {
			d.id = strconv.FormatUint(md.Sequence.Stream, 10)
			d.redelivered = md.NumDelivered > 1
		}
		ds = append(ds, d)
	}
	if err := batch.Error(); err != nil && fctx.Err() == nil && !errors.Is(err, nats.ErrTimeout) {
		if len(ds) > 0 {
			return ds, nil // the next fetch reports it if it lasts
		}
		return nil, r.lost(err)
	}
	return ds, nil
}

// lost reports a fetch failure, unless it is one the client recovers from
// by itself (a reconnect in progress), which is retried.
func (r *natsReader) lost(err error) error {
	if r.nc.IsReconnecting() || errors.Is(err, jetstream.ErrNoHeartbeat) {
		return nil
	}
	return fmt.Errorf("%w: %s: %s", ErrSourceLost, r, scrub(r.cfg.URL, err))
}

func (r *natsReader) ack(_ context.Context, handled []delivery) error {
	for _, d := range handled {
		if err := d.tag.(jetstream.Msg).Ack(); err != nil {
			return fmt.Errorf("%w: %s: ack: %w", ErrSourceLost, r, err)
		}
	}
	return nil
}

func (r *natsReader) discard(_ context.Context, d delivery) error {
	return d.tag.(jetstream.Msg).Term()
}

// release asks the server to deliver again at once what would otherwise
// wait for AckWait.
func (r *natsReader) release(unhandled []delivery) {
	for _, d := range unhandled {
		_ = d.tag.(jetstream.Msg).Nak() // AckWait redelivers it anyway
	}
}

func (r *natsReader) close() error {
	var err error
	if r.ephem != "" && r.js != nil && r.nc.IsConnected() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = r.js.DeleteConsumer(ctx, r.stream, r.ephem)
		cancel()
		if errors.Is(err, jetstream.ErrConsumerNotFound) {
			err = nil
		}
	}
	if r.nc.IsConnected() {
		// Acks are published without waiting; make sure the server has them.
		if ferr := r.nc.FlushTimeout(2 * time.Second); ferr != nil {
			err = errors.Join(err, ferr)
		}
	}
	if r.own {
		r.nc.Close()
	}
	return err
}

func (r *natsReader) String() string { return r.name }

func (r *natsReader) resumeAfter(last string) string {
	seq, err := strconv.ParseUint(last, 10, 64)
	if r.cfg.Durable != "" || err != nil {
		return ""
	}
	return strconv.FormatUint(seq+1, 10)
}
