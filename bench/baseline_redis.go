package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/events"
)

// runRawRedis is the Redis ceiling: cfg.RawConns goroutines (default
// cfg.Producers), each with its own connection, sending pipelines of
// batch-size XADDs with go-redis.
func runRawRedis(ctx context.Context, cfg config) (Run, error) {
	t := &target{kind: kindRedis, name: fmt.Sprintf("%s_%s_raw", cfg.Prefix, runSuffix())}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = deleteRedisKeys(cctx, cfg.RedisURL, t.name)
	}()
	if cfg.Consumer != consumeOff {
		r, err := newRedisReader(ctx, cfg.RedisURL, t.name, redissink.DefaultField)
		if err != nil {
			return Run{}, err
		}
		defer r.close()
		t.consumer = newConsumer(r, cfg.Consumer == consumeLive)
	}
	conns := cfg.Producers
	if cfg.RawConns > 0 {
		conns = cfg.RawConns
	}
	name := fmt.Sprintf("raw go-redis ×%d", conns)
	client, err := newRedisClient(cfg.RedisURL, conns)
	if err != nil {
		return Run{}, err
	}
	defer client.Close()
	if err := client.Ping(ctx).Err(); err != nil {
		return Run{}, fmt.Errorf("%w: redis %s: %w", errNoServer, redactURL(cfg.RedisURL), err)
	}
	if t.consumer != nil {
		t.consumer.start(ctx)
	}

	w := newWorkload(cfg.Payload)
	var c rawCounts
	var errOnce sync.Once
	var firstErr error
	u := startUsage()
	start := time.Now()
	q := newQuota(cfg, start)
	pr := startProgress(cfg.progressOut, cfg.tty, name, cfg.Tick, c.snapshot)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			if err := redisPipelines(ctx, client, t.name, w, q, cfg.rawBatchSize(), &c); err != nil {
				errOnce.Do(func() { firstErr = err })
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	pr.end()
	r, err := finishRaw(ctx, cfg, name, conns, t, &c, elapsed, u)
	return r, errors.Join(firstErr, err)
}

// redisPipelines sends the quota's events in pipelines of batch XADDs.
func redisPipelines(ctx context.Context, client *redis.Client, key string, w *workload, q *quota, batch int, c *rawCounts) error {
	execID := events.NewID()
	pipe := client.Pipeline()
	var buf []byte
	for ctx.Err() == nil {
		n := q.take(batch)
		if n == 0 {
			return nil
		}
		for range n {
			ev := w.stamped(execID)
			buf = events.AppendJSON(buf[:0], &ev)
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, Values: []string{redissink.DefaultField, string(buf)}})
		}
		cmds, err := pipe.Exec(ctx)
		ok := 0
		for _, cmd := range cmds {
			if cmd.Err() == nil {
				ok++
			}
		}
		c.emitted.Add(uint64(n))
		c.delivered.Add(uint64(ok))
		c.failed.Add(uint64(n - ok))
		if err != nil {
			return fmt.Errorf("raw XADD pipeline: %w", err)
		}
	}
	return ctx.Err()
}
