package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/streamll/streamll-go/consume"
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
	if cfg.Block <= 0 {
		cfg.Block = time.Second
	}
	// From "$" the consumer resolves the stream's last ID once, here, and
	// every XREAD goes on from the last entry read: none is missed between
	// two reads.
	c, err := consume.NewRedis(ctx, consume.RedisConfig{
		URL: cfg.RedisURL, Stream: cfg.StreamKey,
		Options: consume.Options{
			Wait:  cfg.Block,
			From:  cfg.From,
			Batch: 500,
			OnInvalid: func(inv consume.Invalid) {
				fmt.Fprintf(out, "skipped entry %s: %v\n", inv.ID, inv.Err)
			},
		},
	})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if ready != nil {
		ready()
	}

	seen := usageByCustomer{}
	read, printed := 0, time.Now()
	err = c.Run(ctx, func(_ context.Context, m consume.Message) error {
		read++
		countEvent(seen, m.Event, out)
		if cfg.Refresh > 0 && time.Since(printed) >= cfg.Refresh {
			if err := seen.writeTable(out); err != nil {
				return err
			}
			printed = time.Now()
		}
		if cfg.MaxEvents > 0 && read >= cfg.MaxEvents {
			return consume.ErrStop
		}
		return nil
	})
	if err != nil {
		return seen, err
	}
	fmt.Fprintf(out, "read %d events\n", read)
	return seen, seen.writeTable(out)
}

// countEvent adds one event to its customer's usage, as the seed's consumer
// does with event['tags'].get('customer_id').
func countEvent(seen usageByCustomer, ev events.Event, out io.Writer) {
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
}

// number reads a JSON number (decoded as float64) as an int; anything else
// counts as 0, like the seed's event['data'].get('tokens', 0).
func number(v any) int {
	f, _ := v.(float64)
	return int(f)
}
