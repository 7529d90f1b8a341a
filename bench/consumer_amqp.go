package main

import (
	"context"
	"fmt"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
)

// amqpReader consumes a durable queue bound to the run's exchange, over its
// own connection straight to the broker. The queue is declared before the
// run starts, so that no event finds the exchange without a queue.
type amqpReader struct {
	conn       *amqp.Connection
	ch         *amqp.Channel
	queue      string
	deliveries <-chan amqp.Delivery
}

// declareAMQP declares the run's durable topic exchange (as the sink does)
// and a durable queue bound to it with "#".
func declareAMQP(ch *amqp.Channel, exchange, queue string) error {
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", exchange, err)
	}
	if _, err := ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %s: %w", queue, err)
	}
	if err := ch.QueueBind(queue, "#", exchange, false, nil); err != nil {
		return fmt.Errorf("bind queue %s: %w", queue, err)
	}
	return nil
}

func dialAMQP(rawURL string) (*amqp.Connection, *amqp.Channel, error) {
	conn, err := amqp.DialConfig(rawURL, amqp.Config{Dial: amqp.DefaultDial(5 * time.Second), Properties: amqp.Table{"connection_name": "streamll-bench"}})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: rabbitmq %s: %v", errNoServer, redactURL(rawURL), sinks.Redact(err.Error()))
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, nil, fmt.Errorf("rabbitmq channel: %w", err)
	}
	return conn, ch, nil
}

func newAMQPReader(rawURL, exchange, queue string) (*amqpReader, error) {
	conn, ch, err := dialAMQP(rawURL)
	if err != nil {
		return nil, err
	}
	r := &amqpReader{conn: conn, ch: ch, queue: queue}
	if err := declareAMQP(ch, exchange, queue); err != nil {
		conn.Close()
		return nil, err
	}
	if err := ch.Qos(2000, 0, false); err != nil {
		conn.Close()
		return nil, fmt.Errorf("qos: %w", err)
	}
	if r.deliveries, err = ch.Consume(queue, "streamll-bench", false, true, false, false, nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("consume %s: %w", queue, err)
	}
	return r, nil
}

func (r *amqpReader) poll(ctx context.Context, wait time.Duration, fn func([]byte)) (int, error) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	n := 0
	var last uint64
	defer func() {
		if n > 0 {
			_ = r.ch.Ack(last, true) // acks every delivery up to last
		}
	}()
	// Wait for the first delivery, then take what is already there, up to
	// a thousand.
	var idle <-chan time.Time = timer.C
	for n < 1000 {
		var d amqp.Delivery
		var ok bool
		select {
		case d, ok = <-r.deliveries:
		case <-idle:
			return n, nil
		case <-ctx.Done():
			return n, ctx.Err()
		}
		if !ok {
			return n, fmt.Errorf("consumer of %s: channel closed", r.queue)
		}
		fn(d.Body)
		last = d.DeliveryTag
		n++
		idle = closedChan // from now on, return as soon as nothing is ready
	}
	return n, nil
}

// closedChan is always ready: a select with it never blocks.
var closedChan = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

func (r *amqpReader) pending(context.Context) (bool, error) {
	q, err := r.ch.QueueDeclarePassive(r.queue, true, false, false, false, nil)
	if err != nil {
		return false, fmt.Errorf("inspect queue %s: %w", r.queue, err)
	}
	return q.Messages > 0, nil
}

func (r *amqpReader) close() error { return r.conn.Close() }

// deleteAMQP removes the run's queue and exchange.
func deleteAMQP(rawURL, exchange, queue string) error {
	conn, ch, err := dialAMQP(rawURL)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
		return fmt.Errorf("delete queue %s: %w", queue, err)
	}
	if err := ch.ExchangeDelete(exchange, false, false); err != nil {
		return fmt.Errorf("delete exchange %s: %w", exchange, err)
	}
	return nil
}
