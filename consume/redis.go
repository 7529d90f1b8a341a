package consume

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Defaults of RedisConfig.
const (
	DefaultRedisURL    = "redis://localhost:6379"
	DefaultStreamKey   = "streamll_events"
	DefaultRedisField  = "event"
	pythonRedisField   = "message" // what the last Python streamll release writes
	redisRetryInterval = 100 * time.Millisecond
)

// RedisConfig configures a consumer of a Redis stream. The zero value reads
// new entries of streamll_events on localhost:6379.
type RedisConfig struct {
	// Options are the settings every consumer shares. Options.From is
	// FromNow, FromBeginning or an entry ID such as "1764621000000-0"
	// (reading starts after it).
	Options
	// URL locates Redis, as go-redis's ParseURL reads it
	// (redis://user:pass@host:6379/0, rediss:// for TLS). Ignored when
	// Client is set. Default redis://localhost:6379.
	URL string
	// Client is a client the caller made and owns: the consumer uses it and
	// does not close it. Default nil: the consumer makes one from URL and
	// closes it in Close.
	Client redis.UniversalClient
	// Stream is the stream key. Default streamll_events.
	Stream string
	// Field is the entry field holding the event. Default: "event" (what
	// redissink writes), and "message" (what the last Python streamll
	// release writes) for an entry without it.
	Field string
	// Group names a consumer group. Default "": plain XREAD, which sees every
	// entry and acknowledges nothing. With a group, entries are read with
	// XREADGROUP and acknowledged with XACK once handled; the group is
	// created (with the stream, if missing) at From if it does not exist.
	Group string
	// Consumer names this consumer within Group. Default: host name and
	// process id. Entries it read but did not acknowledge (it crashed, or a
	// handler failed) are read again first when a consumer of that name
	// starts.
	Consumer string
	// ClaimIdle, with Group, makes the consumer take over entries that other
	// consumers of the group read but have not acknowledged for this long
	// (XAUTOCLAIM), as when a consumer died for good. Default 0: never.
	ClaimIdle time.Duration
}

// redisReader reads one stream with XREAD or XREADGROUP.
type redisReader struct {
	rdb      redis.UniversalClient
	own      bool // rdb was made here and is closed in close
	cfg      RedisConfig
	name     string // for String
	last     string // XREAD: the last entry ID read
	start    string // XREAD: the entry ID reading started after
	pending  string // XREADGROUP: cursor in our own pending entries; "" once they are done
	claim    string // XAUTOCLAIM cursor
	claimAt  time.Time
	fetchErr int // consecutive failed reads
}

// NewRedis connects to Redis and fixes where reading starts: with From
// FromNow (the default), entries added after NewRedis returns are read. With
// Group, it creates the group if needed. Errors wrap ErrInvalidConfig or
// ErrConnect and show no password.
func NewRedis(ctx context.Context, cfg RedisConfig) (*Consumer, error) {
	cfg.Options = cfg.Options.withDefaults()
	if cfg.Stream == "" {
		cfg.Stream = DefaultStreamKey
	}
	if cfg.ClaimIdle < 0 {
		return nil, fmt.Errorf("%w: ClaimIdle %v is negative", ErrInvalidConfig, cfg.ClaimIdle)
	}
	if cfg.Group == "" && (cfg.Consumer != "" || cfg.ClaimIdle > 0) {
		return nil, fmt.Errorf("%w: Consumer and ClaimIdle need a Group", ErrInvalidConfig)
	}
	if cfg.Group != "" && cfg.Consumer == "" {
		host, _ := os.Hostname()
		cfg.Consumer = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	r := &redisReader{rdb: cfg.Client, cfg: cfg}
	where := "redis"
	if r.rdb == nil {
		if cfg.URL == "" {
			cfg.URL = DefaultRedisURL
		}
		rdb, err := redisClient(cfg.URL)
		if err != nil {
			return nil, err
		}
		r.rdb, r.own = rdb, true
		where = redactedHost(cfg.URL)
	}
	r.name = "redis stream " + cfg.Stream + " on " + where
	if cfg.Group != "" {
		r.name += " (group " + cfg.Group + ")"
	}
	if err := r.position(ctx); err != nil {
		_ = r.close()
		return nil, err
	}
	return newConsumer(r, cfg.Options), nil
}

// redisClient makes a client for a URL as sinkurl spells Redis URLs:
// redis://, rediss://, redis+cluster://, rediss+cluster://, redis+unix://.
func redisClient(raw string) (redis.UniversalClient, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, fmt.Errorf("%w: Redis URL %s: want redis://host:port", ErrInvalidConfig, redactedHost(raw))
	}
	switch scheme {
	case "redis", "rediss":
		opts, err := redis.ParseURL(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: Redis URL %s: %s", ErrInvalidConfig, redactedHost(raw), scrub(raw, err))
		}
		return redis.NewClient(opts), nil
	case "redis+unix":
		opts, err := redis.ParseURL("unix://" + rest)
		if err != nil {
			return nil, fmt.Errorf("%w: Redis URL %s: %s", ErrInvalidConfig, redactedHost(raw), scrub(raw, err))
		}
		return redis.NewClient(opts), nil
	case "redis+cluster", "rediss+cluster":
		opts, err := redis.ParseClusterURL(strings.TrimSuffix(scheme, "+cluster") + "://" + rest)
		if err != nil {
			return nil, fmt.Errorf("%w: Redis URL %s: %s", ErrInvalidConfig, redactedHost(raw), scrub(raw, err))
		}
		return redis.NewClusterClient(opts), nil
	}
	return nil, fmt.Errorf("%w: Redis URL scheme %q: want redis, rediss, redis+cluster, rediss+cluster or redis+unix", ErrInvalidConfig, scheme)
}

// position fixes where reading starts, creating the group if needed.
func (r *redisReader) position(ctx context.Context) error {
	from := parseFrom(r.cfg.From)
	if r.cfg.Group == "" {
		switch from {
		case startBeginning:
			r.last = "0-0"
		case startAt:
			if !validEntryID(r.cfg.From) {
				return fmt.Errorf("%w: From %q: want now, beginning or a stream entry ID such as 1764621000000-0", ErrInvalidConfig, r.cfg.From)
			}
			r.last = r.cfg.From
		default:
			// "$" means "after the last entry at the time of this call"; a
			// loop of XREADs must go on from an ID, or entries added between
			// two reads are lost. So "$" is resolved once, here.
			last, err := r.tail(ctx)
			if err != nil {
				return err
			}
			r.last = last
		}
		r.start = r.last
		return nil
	}
	start := "$"
	switch from {
	case startBeginning:
		start = "0"
	case startAt:
		if !validEntryID(r.cfg.From) {
			return fmt.Errorf("%w: From %q: want now, beginning or a stream entry ID", ErrInvalidConfig, r.cfg.From)
		}
		start = r.cfg.From
	}
	err := r.rdb.XGroupCreateMkStream(ctx, r.cfg.Stream, r.cfg.Group, start).Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") { // it exists: go on from where it is
		return fmt.Errorf("%w: %s: XGROUP CREATE: %s", ErrConnect, r, r.scrub(err))
	}
	r.pending = "0" // our own unacknowledged entries first
	r.claim = "0-0"
	return nil
}

// tail returns the ID of the last entry ever added to the stream, which is
// what "$" stands for, or "0-0" when the stream does not exist yet.
func (r *redisReader) tail(ctx context.Context) (string, error) {
	info, err := r.rdb.XInfoStream(ctx, r.cfg.Stream).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return "0-0", nil
		}
		return "", fmt.Errorf("%w: %s: %s", ErrConnect, r, r.scrub(err))
	}
	return info.LastGeneratedID, nil
}

func (r *redisReader) fetch(ctx context.Context, max int) ([]delivery, error) {
	ds, err := r.read(ctx, max)
	if err == nil || ctx.Err() != nil {
		r.fetchErr = 0
		return ds, nil
	}
	// go-redis reconnects by itself; a few failed reads in a row (about a
	// second) mean the server is gone rather than a connection was reset.
	r.fetchErr++
	if r.fetchErr >= 10 {
		return nil, fmt.Errorf("%w: %s: %s", ErrSourceLost, r, r.scrub(err))
	}
	waitOrDone(ctx, redisRetryInterval)
	return nil, nil
}

func (r *redisReader) read(ctx context.Context, max int) ([]delivery, error) {
	if r.cfg.Group == "" {
		res, err := r.rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{r.cfg.Stream, r.last}, Count: int64(max), Block: r.cfg.Wait,
		}).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		ds := r.deliveries(res, false)
		if len(ds) > 0 {
			r.last = ds[len(ds)-1].id
		}
		return ds, nil
	}
	if r.pending != "" {
		// Entries this consumer read before and never acknowledged. BLOCK
		// does not apply to them; an empty answer means there are no more.
		res, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: r.cfg.Group, Consumer: r.cfg.Consumer, Streams: []string{r.cfg.Stream, r.pending}, Count: int64(max),
		}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		ds := r.deliveries(res, true)
		if len(ds) == 0 && !r.hadEntries(res) {
			r.pending = ""
		} else if last := r.lastID(res); last != "" {
			r.pending = last
		}
		if len(ds) > 0 {
			return ds, nil
		}
		if r.pending != "" {
			return nil, nil
		}
	}
	if r.cfg.ClaimIdle > 0 && time.Since(r.claimAt) >= r.cfg.ClaimIdle/2 {
		msgs, next, err := r.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
			Stream: r.cfg.Stream, Group: r.cfg.Group, Consumer: r.cfg.Consumer,
			MinIdle: r.cfg.ClaimIdle, Start: r.claim, Count: int64(max),
		}).Result()
		if err != nil && !errors.Is(err, redis.Nil) {
			return nil, err
		}
		r.claim = next
		if next == "0-0" || next == "" {
			r.claim, r.claimAt = "0-0", time.Now() // a full pass over the pending entries
		}
		if ds := r.deliveries([]redis.XStream{{Stream: r.cfg.Stream, Messages: msgs}}, true); len(ds) > 0 {
			return ds, nil
		}
	}
	res, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: r.cfg.Group, Consumer: r.cfg.Consumer, Streams: []string{r.cfg.Stream, ">"}, Count: int64(max), Block: r.cfg.Wait,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return r.deliveries(res, false), nil
}

// deliveries turns a read's entries into deliveries. An entry of our
// pending list that was deleted (trimmed) since comes back without fields;
// it is acknowledged at once and left out.
func (r *redisReader) deliveries(res []redis.XStream, redelivered bool) []delivery {
	var ds []delivery
	var gone []string
	for _, s := range res {
		for _, m := range s.Messages {
			if m.Values == nil {
				gone = append(gone, m.ID)
				continue
			}
			d := delivery{source: s.Stream, id: m.ID, redelivered: redelivered}
			if raw, ok := r.field(m.Values); ok {
				d.raw = []byte(raw)
			} else {
				d.missing = fmt.Errorf("entry %s has no %q field", m.ID, r.fieldName())
			}
			ds = append(ds, d)
		}
	}
	if len(gone) > 0 && r.cfg.Group != "" {
		_ = r.rdb.XAck(context.Background(), r.cfg.Stream, r.cfg.Group, gone...).Err() // retried at the next start otherwise
	}
	return ds
}

func (r *redisReader) hadEntries(res []redis.XStream) bool {
	for _, s := range res {
		if len(s.Messages) > 0 {
			return true
		}
	}
	return false
}

func (r *redisReader) lastID(res []redis.XStream) string {
	last := ""
	for _, s := range res {
		if n := len(s.Messages); n > 0 {
			last = s.Messages[n-1].ID
		}
	}
	return last
}

func (r *redisReader) field(values map[string]any) (string, bool) {
	if r.cfg.Field != "" {
		v, ok := values[r.cfg.Field].(string)
		return v, ok
	}
	if v, ok := values[DefaultRedisField].(string); ok {
		return v, true
	}
	v, ok := values[pythonRedisField].(string)
	return v, ok
}

func (r *redisReader) fieldName() string {
	if r.cfg.Field != "" {
		return r.cfg.Field
	}
	return DefaultRedisField
}

func (r *redisReader) ack(ctx context.Context, handled []delivery) error {
	if r.cfg.Group == "" || len(handled) == 0 {
		return nil
	}
	ids := make([]string, len(handled))
	for i, d := range handled {
		ids[i] = d.id
	}
	if err := r.rdb.XAck(ctx, r.cfg.Stream, r.cfg.Group, ids...).Err(); err != nil {
		return fmt.Errorf("%w: %s: XACK: %s", ErrSourceLost, r, r.scrub(err))
	}
	return nil
}

func (r *redisReader) discard(ctx context.Context, d delivery) error {
	return r.ack(ctx, []delivery{d})
}

// release leaves unhandled entries as they are: in a group they stay
// pending, read again first by the next consumer of this name.
func (r *redisReader) release([]delivery) {}

func (r *redisReader) close() error {
	if r.own {
		return r.rdb.Close()
	}
	return nil
}

func (r *redisReader) String() string { return r.name }

func (r *redisReader) resumeAfter(last string) string {
	switch {
	case r.cfg.Group != "":
		return ""
	case last != "":
		return last
	}
	return r.start
}

func (r *redisReader) scrub(err error) string { return scrub(r.cfg.URL, err) }

// validEntryID accepts a stream entry ID: milliseconds, optionally "-" and
// a sequence number.
func validEntryID(s string) bool {
	ms, seq, hasSeq := strings.Cut(s, "-")
	if _, err := strconv.ParseUint(ms, 10, 64); err != nil {
		return false
	}
	if hasSeq {
		if _, err := strconv.ParseUint(seq, 10, 64); err != nil {
			return false
		}
	}
	return true
}

// redactedHost shows where a URL points, without credentials or query.
func redactedHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" && u.Path == "" {
		if i := strings.Index(raw, "://"); i > 0 {
			return raw[:i] + "://…"
		}
		return "(unparsable URL)"
	}
	if u.Host != "" {
		return u.Host
	}
	return u.Path
}

// scrub returns err's text with raw's password, if any, masked.
func scrub(raw string, err error) string {
	s := err.Error()
	if u, perr := url.Parse(raw); perr == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			s = strings.ReplaceAll(s, pw, "xxxxx")
		}
		if name := u.User.Username(); name != "" && strings.Contains(s, name+":") {
			s = strings.ReplaceAll(s, u.String(), u.Redacted())
		}
	}
	return s
}
