package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/streamll/streamll-go/consume"
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

	// A consumer group is positioned at the stream's end when it is created,
	// and remembers what was read when the consumer restarts.
	mon, err := consume.NewRedis(ctx, consume.RedisConfig{URL: cfg.MonitoringURL, Stream: cfg.MonitoringStream,
		Group: monitoringGroup, Consumer: "printer"})
	if err != nil {
		return fmt.Errorf("monitoring: %w", err)
	}
	defer mon.Close()
	// Each private queue lives as long as the consumer, which suits a
	// console that shows what arrives while it runs; the exchange is
	// declared as the producer's sink declares it if it does not exist yet,
	// so either side can start first.
	aud, err := consume.NewRabbitMQ(ctx, consume.RabbitMQConfig{URL: cfg.AuditURL, Exchange: cfg.AuditExchange, BindingKey: "audit.#"})
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer aud.Close()
	alr, err := consume.NewRabbitMQ(ctx, consume.RabbitMQConfig{URL: cfg.AlertsURL, Exchange: cfg.AlertsExchange, BindingKey: "alert.#"})
	if err != nil {
		return fmt.Errorf("alerts: %w", err)
	}
	defer alr.Close()
	if ready != nil {
		ready()
	}

	readers := map[string]*consume.Consumer{monitoring: mon, audit: aud, alerts: alr}
	errs := make(chan error, len(readers))
	for dest, c := range readers {
		go func() {
			err := c.Run(ctx, func(_ context.Context, m consume.Message) error {
				key := m.Source // the routing key
				if dest == monitoring {
					key = m.ID // the stream entry ID
				}
				serial(delivery{Dest: dest, Key: key, Event: m.Event})
				return nil
			})
			if err != nil {
				err = fmt.Errorf("%s: %w", dest, err)
			}
			errs <- err
		}()
	}
	var all []error
	for range readers {
		if err := <-errs; err != nil {
			all = append(all, err)
			cancel() // one failed: stop the others
		}
	}
	return errors.Join(all...)
}

const monitoringGroup = "routing-example"
