package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/events"
)

// dashboardConfig configures the dashboard backend.
type dashboardConfig struct {
	// RedisURL locates Redis (REDIS_URL).
	RedisURL string
	// StreamKey is the stream to read.
	StreamKey string
	// From is where reading starts: "$" (new entries only, the default) or an
	// entry ID such as "0" to replay the stream.
	From string
	// MaxEvents stops the dashboard after that many events. 0: run until ctx
	// ends.
	MaxEvents int
	// Refresh prints the usage table this often while events arrive. 0: only
	// when the dashboard stops.
	Refresh time.Duration
	// Block is how long one XREAD waits for new entries, and so how long
	// stopping may take. Default 1s, as the seed's block=1000.
	Block time.Duration
}

// runDashboard reads the event stream with XREAD BLOCK and keeps per-customer
// usage, printing a line per finished document and the usage table. It calls
// ready (if not nil) once it has fixed where it starts reading, so a producer
// started after that is read in full. It returns the usage when ctx ends or
// after cfg.MaxEvents events.
func runDashboard(ctx context.Context, cfg dashboardConfig, out io.Writer, ready func()) (usageByCustomer, error) {
	opts, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL %s: %w", redactURL(cfg.RedisURL), err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	if cfg.Block <= 0 {
		cfg.Block = time.Second
	}

	// XREAD from "$" means "entries added after this call". Reading in a
	// loop, each XREAD must go on from the last entry seen, or entries
	// added between two reads are missed; so "$" is resolved once, to the
	// stream's last ID, and every read continues from there.
	last := cfg.From
	if last == "" || last == "$" {
		if last, err = streamTail(ctx, rdb, cfg.StreamKey); err != nil {
			return nil, err
		}
	}
	if ready != nil {
		ready()
	}

	seen := usageByCustomer{}
	read, dirty, printed := 0, false, time.Now()
	for ctx.Err() == nil && (cfg.MaxEvents <= 0 || read < cfg.MaxEvents) {
		count := int64(500)
		if cfg.MaxEvents > 0 {
			count = int64(min(500, cfg.MaxEvents-read))
		}
		streams, err := rdb.XRead(ctx, &redis.XReadArgs{
			Streams: []string{cfg.StreamKey, last},
			Count:   count,
			Block:   cfg.Block,
		}).Result()
		switch {
		case errors.Is(err, redis.Nil): // nothing new within Block
		case err != nil && ctx.Err() != nil: // interrupted
		case err != nil:
			return seen, fmt.Errorf("XREAD %s: %w", cfg.StreamKey, err)
		}
		for _, s := range streams {
			for _, msg := range s.Messages {
				last = msg.ID
				read++
				dirty = true
				if err := countEntry(seen, msg, out); err != nil {
					fmt.Fprintf(out, "skipped entry %s: %v\n", msg.ID, err)
				}
			}
		}
		if cfg.Refresh > 0 && dirty && time.Since(printed) >= cfg.Refresh {
			if err := seen.writeTable(out); err != nil {
				return seen, err
			}
			dirty, printed = false, time.Now()
		}
	}
	fmt.Fprintf(out, "read %d events\n", read)
	return seen, seen.writeTable(out)
}

// countEntry decodes one stream entry, fields["event"] as the seed's consumer
// reads it, and adds it to the customer's usage.
func countEntry(seen usageByCustomer, msg redis.XMessage, out io.Writer) error {
	raw, ok := msg.Values["event"].(string)
	if !ok {
		return errors.New(`no "event" field`)
	}
	ev, err := events.Unmarshal([]byte(raw))
	if err != nil {
		return err
	}
	customer := ev.Tags["customer_id"]
	if customer == "" {
		customer = "(untagged)"
	}
	u := seen.of(customer)
	switch ev.EventType {
	case events.TypeStart:
		u.Operations[ev.Operation]++
	case events.TypeToken:
		u.TokenEvents++
	case events.TypeError:
		u.Errors++
	case events.TypeEnd:
		u.InputTokens += number(ev.Data[events.KeyGenAIUsageInputTokens])
		u.OutputTokens += number(ev.Data[events.KeyGenAIUsageOutputTokens])
	}
	u.Tokens += number(ev.Data[events.KeyTokens]) // the seed's event['data'].get('tokens', 0)
	cost, _ := ev.Data[events.KeyGenAIUsageCost].(float64)
	u.Cost += cost
	if ev.ParentID == "" && (ev.EventType == events.TypeEnd || ev.EventType == events.TypeError) {
		fmt.Fprintf(out, "done  %-10s %s.%s %-5s %.3fs\n", customer, ev.ModuleName, ev.MethodName,
			ev.EventType, ev.Data[events.KeyDurationSeconds])
	}
	return nil
}

// number reads a JSON number (decoded as float64) as an int; anything else
// counts as 0, like the seed's event['data'].get('tokens', 0).
func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}

// streamTail returns the ID of the last entry ever added to key, which is
// what "$" stands for, or "0-0" when the stream does not exist yet.
func streamTail(ctx context.Context, rdb *redis.Client, key string) (string, error) {
	n, err := rdb.Exists(ctx, key).Result()
	if err != nil {
		return "", fmt.Errorf("reaching Redis: %w", err)
	}
	if n == 0 {
		return "0-0", nil
	}
	info, err := rdb.XInfoStream(ctx, key).Result()
	if err != nil {
		return "", fmt.Errorf("XINFO STREAM %s: %w", key, err)
	}
	return info.LastGeneratedID, nil
}

// redactURL hides the password of a URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
