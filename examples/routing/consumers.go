package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/events"
)

// delivery is one event as a destination's consumer got it.
type delivery struct {
	// Dest is monitoring, audit or alerts.
	Dest string
	// Key is the routing key (audit, alerts) or the stream entry ID
	// (monitoring).
	Key   string
	Event events.Event
}

// printDelivery writes one line about d.
func printDelivery(w io.Writer, d delivery) {
	ev := d.Event
	detail := ""
	if ev.EventType == events.TypeError {
		detail = fmt.Sprint(ev.Data[events.KeyErrorMessage])
	}
	line := fmt.Sprintf("%-12s %-34s %-13s %-6s %s %s", "["+d.Dest+"]", d.Key, ev.Operation, ev.EventType, ev.ExecutionID, detail)
	fmt.Fprintln(w, strings.TrimRight(line, " "))
}

// runConsumers reads the three destinations until ctx ends: the monitoring
// stream through a consumer group, and each exchange through a private queue
// bound to it (audit.# and alert.#). It calls ready (if not nil) once all
// three are in place, so that a producer started after that is read in full,
// and handle for every event, from one goroutine at a time.
func runConsumers(ctx context.Context, cfg config, ready func(), handle func(delivery)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	serial := func(d delivery) {
		mu.Lock()
		defer mu.Unlock()
		handle(d)
	}

	mon, err := newMonitoringReader(ctx, cfg.MonitoringURL, cfg.MonitoringStream)
	if err != nil {
		return err
	}
	defer mon.close()
	aud, err := bindQueue(cfg.AuditURL, cfg.AuditExchange, "audit.#")
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer aud.conn.Close()
	alr, err := bindQueue(cfg.AlertsURL, cfg.AlertsExchange, "alert.#")
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	defer alr.conn.Close()
	if ready != nil {
		ready()
	}

	errs := make(chan error, 3)
	go func() { errs <- mon.run(ctx, serial) }()
	go func() { errs <- aud.run(ctx, audit, serial) }()
	go func() { errs <- alr.run(ctx, alerts, serial) }()
	var all []error
	for range 3 {
		if err := <-errs; err != nil {
			all = append(all, err)
			cancel() // one failed: stop the others
		}
	}
	return errors.Join(all...)
}

// monitoringReader reads the monitoring stream through a consumer group,
// which Redis positions at the stream's end when it creates it, and which
// remembers what was read when the consumer restarts.
type monitoringReader struct {
	rdb   *redis.Client
	key   string
	group string
}

const monitoringGroup = "routing-example"

func newMonitoringReader(ctx context.Context, url, key string) (*monitoringReader, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("monitoring: Redis URL: %w", err)
	}
	r := &monitoringReader{rdb: redis.NewClient(opts), key: key, group: monitoringGroup}
	err = r.rdb.XGroupCreateMkStream(ctx, key, r.group, "$").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") { // BUSYGROUP: it exists, go on from where it is
		r.close()
		return nil, fmt.Errorf("monitoring: XGROUP CREATE %s: %w", key, err)
	}
	return r, nil
}

func (r *monitoringReader) close() { r.rdb.Close() }

func (r *monitoringReader) run(ctx context.Context, handle func(delivery)) error {
	for ctx.Err() == nil {
		streams, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: r.group, Consumer: "printer", Streams: []string{r.key, ">"}, Count: 100, Block: time.Second,
		}).Result()
		switch {
		case errors.Is(err, redis.Nil), err != nil && ctx.Err() != nil:
			continue
		case err != nil:
			return fmt.Errorf("monitoring: XREADGROUP %s: %w", r.key, err)
		}
		for _, s := range streams {
			ids := make([]string, 0, len(s.Messages))
			for _, m := range s.Messages {
				raw, _ := m.Values["event"].(string)
				ev, err := events.Unmarshal([]byte(raw))
				if err != nil {
					return fmt.Errorf("monitoring: entry %s: %w", m.ID, err)
				}
				handle(delivery{Dest: monitoring, Key: m.ID, Event: ev})
				ids = append(ids, m.ID)
			}
			if err := r.rdb.XAck(ctx, r.key, r.group, ids...).Err(); err != nil && ctx.Err() == nil {
				return fmt.Errorf("monitoring: XACK: %w", err)
			}
		}
	}
	return nil
}

// queueReader consumes a private queue bound to an exchange.
type queueReader struct {
	conn       *amqp.Connection
	deliveries <-chan amqp.Delivery
}

// bindQueue declares exchange as the producer's sink does (a durable topic
// exchange), so either side can start first, and binds a private queue to it:
// it lives as long as the connection, which suits a console that shows what
// arrives while it runs.
func bindQueue(url, exchange, binding string) (*queueReader, error) {
	conn, err := amqp.Dial(url)
	if err != nil {
		return nil, fmt.Errorf("connecting: %w", err)
	}
	ch, err := conn.Channel()
	if err == nil {
		err = ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil)
	}
	var q amqp.Queue
	if err == nil {
		q, err = ch.QueueDeclare("", false, true, true, false, nil)
	}
	if err == nil {
		err = ch.QueueBind(q.Name, binding, exchange, false, nil)
	}
	var d <-chan amqp.Delivery
	if err == nil {
		d, err = ch.Consume(q.Name, "", true, true, false, false, nil)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("binding a queue to %s with %s: %w", exchange, binding, err)
	}
	return &queueReader{conn: conn, deliveries: d}, nil
}

func (r *queueReader) run(ctx context.Context, dest string, handle func(delivery)) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case d, ok := <-r.deliveries:
			if !ok {
				return fmt.Errorf("%s: the broker closed the channel", dest)
			}
			ev, err := events.Unmarshal(d.Body)
			if err != nil {
				return fmt.Errorf("%s: message %s: %w", dest, d.MessageId, err)
			}
			handle(delivery{Dest: dest, Key: d.RoutingKey, Event: ev})
		}
	}
}
