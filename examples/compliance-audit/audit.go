package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/streamll/streamll-go/consume"
)

// auditConfig configures the audit consumer.
type auditConfig struct {
	// RabbitMQURL locates the broker (RABBITMQ_URL).
	RabbitMQURL string
	// Exchange and Queue name the audit exchange and the durable queue bound
	// to it with loan.#.
	Exchange, Queue string
	// File is the JSON Lines file records are appended to.
	File string
	// Prefetch is the most unacknowledged messages the broker sends ahead
	// (basic.qos). Default 100.
	Prefetch int
	// MaxEvents stops the consumer after storing that many events. 0: run
	// until ctx ends.
	MaxEvents int
}

// auditRecord is one line of the audit file: the event exactly as published,
// and how it arrived.
type auditRecord struct {
	ReceivedAt  time.Time       `json:"received_at"`
	RoutingKey  string          `json:"routing_key"`
	Redelivered bool            `json:"redelivered"`
	Event       json.RawMessage `json:"event"`
}

// runAudit consumes the audit queue and appends every event to cfg.File, one
// JSON object per line. A message is acknowledged only once its line is on
// disk (written and fsynced), so a crash can repeat a record but never lose
// one. It calls ready (if not nil) once it is consuming, and returns how many
// events it stored when ctx ends or after cfg.MaxEvents.
func runAudit(ctx context.Context, cfg auditConfig, out io.Writer, ready func()) (stored int, err error) {
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 100
	}
	// The consumer declares the exchange as the producer's sink does
	// (durable topic) if it is missing, and the durable queue bound to it
	// with loan.#, so that either program can start first. A message that
	// is not a streamll event is rejected (dead-lettered if the queue has a
	// dead-letter exchange) instead of stored.
	c, err := consume.NewRabbitMQ(ctx, consume.RabbitMQConfig{
		URL: cfg.RabbitMQURL, Exchange: cfg.Exchange, Queue: cfg.Queue, BindingKey: bindingKey,
		ConnectionName: "loan-audit",
		Options: consume.Options{
			Batch: cfg.Prefetch,
			OnInvalid: func(inv consume.Invalid) {
				fmt.Fprintf(out, "rejected %s: %v\n", inv.Source, inv.Err)
			},
		},
	})
	if err != nil {
		return 0, fmt.Errorf("connecting to %s: %w", redactURL(cfg.RabbitMQURL), err)
	}
	defer c.Close()
	f, err := os.OpenFile(cfg.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	if ready != nil {
		ready()
	}

	// Each read hands over what has arrived, up to the prefetch, so one
	// fsync covers many records; RunBatch acknowledges what store returns.
	w := bufio.NewWriter(f)
	err = c.RunBatch(ctx, func(_ context.Context, batch []consume.Message) (int, error) {
		var stop error
		if cfg.MaxEvents > 0 && stored+len(batch) >= cfg.MaxEvents {
			batch, stop = batch[:cfg.MaxEvents-stored], consume.ErrStop
		}
		if err := store(w, f, batch, out); err != nil {
			return 0, err
		}
		stored += len(batch)
		return len(batch), stop
	})
	return stored, err
}

// store appends batch to the file and syncs it; the caller acknowledges the
// messages only after that.
func store(w *bufio.Writer, f *os.File, batch []consume.Message, out io.Writer) error {
	now := time.Now().UTC()
	for _, m := range batch {
		line, err := json.Marshal(auditRecord{ReceivedAt: now, RoutingKey: m.Source, Redelivered: m.Redelivered, Event: m.Raw})
		if err != nil {
			return err
		}
		w.Write(line)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("writing the audit file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing the audit file: %w", err)
	}
	for _, m := range batch {
		fmt.Fprintf(out, "stored %-34s %s %s\n", m.Source, m.Event.Tags["loan_id"], m.Event.EventID)
	}
	return nil
}

// redactURL hides the password of a URL for error messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
