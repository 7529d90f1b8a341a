package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/events"
)

// runRawAMQP is the RabbitMQ ceiling: one amqp091-go connection and channel in
// confirm mode, as the sink has, publishing the same persistent messages with
// at most cfg.Confirm unconfirmed at a time (a sliding window: a new message
// goes out as soon as the oldest is confirmed).
func runRawAMQP(ctx context.Context, cfg config) (Run, error) {
	t := &target{kind: kindRabbitMQ, name: fmt.Sprintf("%s_%s_raw", cfg.Prefix, runSuffix())}
	defer func() { _ = deleteAMQP(cfg.RabbitURL, t.name, t.name) }()
	if cfg.Consumer != consumeOff {
		r, err := newAMQPReader(cfg.RabbitURL, t.name, t.name)
		if err != nil {
			return Run{}, err
		}
		defer r.close()
		t.consumer = newConsumer(r, cfg.Consumer == consumeLive)
	} else if err := declareOnly(cfg.RabbitURL, t.name); err != nil {
		return Run{}, err
	}
	conn, ch, err := dialAMQP(cfg.RabbitURL)
	if err != nil {
		return Run{}, err
	}
	defer conn.Close()
	if err := ch.Confirm(false); err != nil {
		return Run{}, fmt.Errorf("confirm mode: %w", err)
	}
	if t.consumer != nil {
		t.consumer.start(ctx)
	}
	name := fmt.Sprintf("raw amqp091 (window %d)", cfg.Confirm)
	var c rawCounts
	u := startUsage()
	start := time.Now()
	pr := startProgress(cfg.progressOut, cfg.tty, name, cfg.Tick, c.snapshot)
	pubErr := amqpPublish(ctx, ch, t.name, newWorkload(cfg.Payload), newQuota(cfg, start), cfg.Confirm, &c)
	elapsed := time.Since(start)
	pr.end()
	r, err := finishRaw(ctx, cfg, name, 1, t, &c, elapsed, u)
	return r, errors.Join(pubErr, err)
}

// amqpPublish publishes the quota's events with a sliding confirm window.
func amqpPublish(ctx context.Context, ch *amqp.Channel, exchange string, w *workload, q *quota, window int, c *rawCounts) error {
	execID := events.NewID()
	ring := make([]*amqp.DeferredConfirmation, window)
	head, inFlight := 0, 0
	settle := func() error {
		dc := ring[head]
		ring[head] = nil
		head = (head + 1) % window
		inFlight--
		select {
		case <-dc.Done():
		case <-ctx.Done():
			return ctx.Err()
		}
		if dc.Acked() {
			c.delivered.Add(1)
		} else {
			c.failed.Add(1)
		}
		return nil
	}
	headers := amqp.Table{}
	var body []byte
	for q.take(1) == 1 {
		if inFlight == window {
			if err := settle(); err != nil {
				return err
			}
		}
		ev := w.stamped(execID)
		body = events.AppendJSON(body[:0], &ev)
		headers["event_type"] = string(ev.EventType)
		headers["operation"] = ev.Operation
		headers["module_name"] = ev.ModuleName
		headers["method_name"] = ev.MethodName
		headers["execution_id"] = ev.ExecutionID
		headers["schema_version"] = events.SchemaVersion
		dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, exchange, "streamll."+string(ev.EventType), false, false, amqp.Publishing{
			Headers: headers, ContentType: "application/json", DeliveryMode: amqp.Persistent,
			MessageId: ev.EventID, Timestamp: ev.Timestamp, Type: string(ev.EventType), AppId: "streamll-go",
			Body: body,
		})
		c.emitted.Add(1)
		if err != nil {
			c.failed.Add(1)
			return fmt.Errorf("raw publish: %w", err)
		}
		ring[(head+inFlight)%window] = dc
		inFlight++
	}
	for inFlight > 0 {
		if err := settle(); err != nil {
			return err
		}
	}
	return nil
}
