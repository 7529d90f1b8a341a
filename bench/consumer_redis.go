package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisReader reads a stream with XREAD from the first entry on, over its
// own connection straight to the server (never through the fault proxy).
type redisReader struct {
	client *redis.Client
	key    string
	field  string
	last   string
	read   int64
}

// newRedisClient opens a client for rawURL; errors never show the password.
func newRedisClient(rawURL string, poolSize int) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL %s: invalid", redactURL(rawURL))
	}
	opts.PoolSize = poolSize
	opts.MaxRetries = -1
	opts.ContextTimeoutEnabled = true
	return redis.NewClient(opts), nil
}

func newRedisReader(ctx context.Context, rawURL, key, field string) (*redisReader, error) {
	c, err := newRedisClient(rawURL, 2)
	if err != nil {
		return nil, err
	}
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("%w: redis %s: %w", errNoServer, redactURL(rawURL), err)
	}
	return &redisReader{client: c, key: key, field: field, last: "0-0"}, nil
}

func (r *redisReader) poll(ctx context.Context, wait time.Duration, fn func([]byte)) (int, error) {
	res, err := r.client.XRead(ctx, &redis.XReadArgs{
		Streams: []string{r.key, r.last},
		Count:   1000,
		Block:   wait,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("XREAD %s: %w", r.key, err)
	}
	n := 0
	for _, s := range res {
		for _, m := range s.Messages {
			r.last = m.ID
			n++
			body, _ := m.Values[r.field].(string)
			fn([]byte(body))
		}
	}
	r.read += int64(n)
	return n, nil
}

func (r *redisReader) pending(ctx context.Context) (bool, error) {
	n, err := r.client.XLen(ctx, r.key).Result()
	if err != nil {
		return false, fmt.Errorf("XLEN %s: %w", r.key, err)
	}
	return n > r.read, nil
}

func (r *redisReader) close() error { return r.client.Close() }

// deleteRedisKeys removes the run's streams.
func deleteRedisKeys(ctx context.Context, rawURL string, keys ...string) error {
	c, err := newRedisClient(rawURL, 1)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Del(ctx, keys...).Err()
}

// redactURL shows a URL without its password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
