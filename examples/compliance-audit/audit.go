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

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/events"
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
	conn, err := amqp.DialConfig(cfg.RabbitMQURL, amqp.Config{Properties: amqp.Table{"connection_name": "loan-audit"}})
	if err != nil {
		return 0, fmt.Errorf("connecting to %s: %w", redactURL(cfg.RabbitMQURL), err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	if err := declareAuditQueue(ch, cfg.Exchange, cfg.Queue); err != nil {
		return 0, err
	}
	if err := ch.Qos(cfg.Prefetch, 0, false); err != nil {
		return 0, fmt.Errorf("basic.qos: %w", err)
	}
	f, err := os.OpenFile(cfg.File, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer func() { err = errors.Join(err, f.Close()) }()
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	deliveries, err := ch.Consume(cfg.Queue, "loan-audit", false, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("consuming %s: %w", cfg.Queue, err)
	}
	if ready != nil {
		ready()
	}

	w := bufio.NewWriter(f)
	for cfg.MaxEvents <= 0 || stored < cfg.MaxEvents {
		var batch []amqp.Delivery
		select {
		case <-ctx.Done():
			return stored, nil
		case d, ok := <-deliveries:
			if !ok {
				return stored, consumerGone(closed)
			}
			batch = append(batch, d)
		}
		// Take what has already arrived too, so one fsync covers many records.
		limit := cfg.Prefetch
		if cfg.MaxEvents > 0 {
			limit = min(limit, cfg.MaxEvents-stored)
		}
	more:
		for len(batch) < limit {
			select {
			case d, ok := <-deliveries:
				if !ok {
					break more
				}
				batch = append(batch, d)
			default:
				break more
			}
		}
		n, err := store(w, f, batch, out)
		stored += n
		if err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// store appends batch to the file, syncs it, and only then acknowledges each
// message. A message that is not a streamll event is rejected (dead-lettered
// if the queue has a dead-letter exchange) instead of stored.
func store(w *bufio.Writer, f *os.File, batch []amqp.Delivery, out io.Writer) (int, error) {
	now := time.Now().UTC()
	var keep []amqp.Delivery
	var notes []string
	for _, d := range batch {
		ev, err := events.Unmarshal(d.Body)
		if err != nil {
			fmt.Fprintf(out, "rejected %s: %v\n", d.RoutingKey, err)
			if err := d.Reject(false); err != nil {
				return 0, err
			}
			continue
		}
		line, err := json.Marshal(auditRecord{ReceivedAt: now, RoutingKey: d.RoutingKey, Redelivered: d.Redelivered, Event: d.Body})
		if err != nil {
			return 0, err
		}
		w.Write(line)
		w.WriteByte('\n')
		keep = append(keep, d)
		notes = append(notes, fmt.Sprintf("stored %-34s %s %s", d.RoutingKey, ev.Tags["loan_id"], ev.EventID))
	}
	if err := w.Flush(); err != nil {
		return 0, fmt.Errorf("writing the audit file: %w", err)
	}
	if err := f.Sync(); err != nil {
		return 0, fmt.Errorf("syncing the audit file: %w", err)
	}
	for i, d := range keep {
		if err := d.Ack(false); err != nil {
			return i, fmt.Errorf("acknowledging: %w", err)
		}
		fmt.Fprintln(out, notes[i])
	}
	return len(keep), nil
}

// consumerGone explains why the deliveries stopped: the channel closed (with
// the broker's reason), or the broker cancelled the consumer, as it does when
// the queue is deleted.
func consumerGone(closed <-chan *amqp.Error) error {
	select {
	case reason := <-closed:
		if reason != nil {
			return fmt.Errorf("the broker closed the channel: %w", reason)
		}
		return errors.New("the channel closed")
	default:
		return errors.New("the broker cancelled the consumer (was the queue deleted?)")
	}
}

// declareAuditQueue declares the exchange exactly as the producer's sink does
// (durable topic), and the durable queue bound to it with loan.#, so that
// either program can start first.
func declareAuditQueue(ch *amqp.Channel, exchange, queue string) error {
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		return fmt.Errorf("declaring exchange %s: %w", exchange, err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declaring queue %s: %w", queue, err)
	}
	if err := ch.QueueBind(queue, bindingKey, exchange, false, nil); err != nil {
		return fmt.Errorf("binding %s to %s: %w", queue, exchange, err)
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
