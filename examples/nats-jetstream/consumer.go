package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/events"
)

// consumerConfig configures the usage ledger.
type consumerConfig struct {
	// NATSURL locates the servers (NATS_URL).
	NATSURL string
	// Stream names the stream; Durable the consumer, which the server keeps
	// with its position between runs.
	Stream, Durable string
	// MaxEvents stops the consumer after that many events. 0: no limit.
	MaxEvents int
	// Idle stops the consumer once no event came for that long. 0: run
	// until ctx ends.
	Idle time.Duration
}

// ledger is what the consumer read: the events by id (for de-duplication)
// and the usage it adds up.
type ledger struct {
	seen       map[string]bool
	Events     int // distinct events
	Duplicates int // redeliveries of events already read (an ack that was lost)
	Tokens     int // token events
	Errors     int // error events
	ByModule   map[string]int
}

// runConsumer reads the stream through the durable pull consumer
// cfg.Durable, from where it last stopped, and acknowledges every message
// once it is counted; an event redelivered after a lost ack is recognised by
// its event_id and counted once. It prints a line per event and a summary,
// calls ready (if not nil) once it is consuming, and stops when ctx ends, after
// cfg.MaxEvents, or after cfg.Idle without events.
func runConsumer(ctx context.Context, cfg consumerConfig, out io.Writer, ready func()) (*ledger, error) {
	l := &ledger{seen: map[string]bool{}, ByModule: map[string]int{}}
	nc, js, err := connect(cfg.NATSURL, "ai-events-"+cfg.Durable)
	if err != nil {
		return l, err
	}
	defer nc.Close()
	st, err := ensureStream(ctx, js, cfg.Stream)
	if err != nil {
		return l, err
	}
	c, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: "ai.>",
		MaxAckPending: 1000,
	})
	if err != nil {
		return l, fmt.Errorf("consumer %s: %w", cfg.Durable, err)
	}
	msgs, err := c.Messages()
	if err != nil {
		return l, fmt.Errorf("consume %s: %w", cfg.Durable, err)
	}
	defer msgs.Stop()
	if ready != nil {
		ready()
	}
	defer func() {
		fmt.Fprintf(out, "consumer: read %d events (%d duplicates skipped): %d tokens, %d errors; by module %v\n",
			l.Events, l.Duplicates, l.Tokens, l.Errors, l.ByModule)
	}()
	for cfg.MaxEvents == 0 || l.Events < cfg.MaxEvents {
		next := []jetstream.NextOpt{jetstream.NextContext(ctx)}
		if cfg.Idle > 0 {
			next = []jetstream.NextOpt{jetstream.NextMaxWait(cfg.Idle)}
		}
		m, err := msgs.Next(next...)
		switch {
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			return l, nil // idle, or Ctrl-C
		case err != nil:
			return l, fmt.Errorf("reading %s: %w", cfg.Stream, err)
		}
		if ctx.Err() != nil {
			return l, nil // not counted, not acked: it comes again next run
		}
		if err := l.add(m, out); err != nil {
			// Not an event: leave it unacknowledged for someone to look at,
			// and stop rather than skip it silently.
			_ = m.Nak()
			return l, err
		}
		if err := m.Ack(); err != nil {
			return l, fmt.Errorf("ack: %w", err)
		}
	}
	return l, nil
}

// add counts the event m carries, once per event_id.
func (l *ledger) add(m jetstream.Msg, out io.Writer) error {
	ev, err := events.Unmarshal(m.Data())
	if err != nil {
		return fmt.Errorf("message on %s: %w", m.Subject(), err)
	}
	if l.seen[ev.EventID] {
		l.Duplicates++
		return nil
	}
	l.seen[ev.EventID] = true
	l.Events++
	l.ByModule[ev.ModuleName]++
	switch ev.EventType {
	case events.TypeToken:
		l.Tokens++
	case events.TypeError:
		l.Errors++
	}
	fmt.Fprintf(out, "%-32s %-6s %s %s\n", m.Subject(), ev.Operation, ev.ExecutionID, ev.EventID)
	return nil
}
