package main

import (
	"context"
	"fmt"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
)

// busOptions gives the sink a buffer as large as the run: producers never
// wait and nothing is dropped, so the time measured is delivery's.
func busOptions(cfg config, n int) sinks.Options {
	return sinks.Options{BatchSize: cfg.batch, BufferSize: n + 1}
}

// emitAll emits n events from cfg.producers goroutines into a bus over s,
// and returns how long it took until Close had delivered them all. The
// producers never wait (watermill's publishers do), so the intake too holds
// the whole run: 64 goroutines on two cores outrun the router, and what this
// compares is delivery, not the intake_full count.
func emitAll(ctx context.Context, cfg config, s sinks.Sink, n int) (time.Duration, error) {
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{s}, IntakeSize: n})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	_ = spread(n, cfg.producers, func(count int) error {
		ev := newEvent(cfg.payload)
		for range count {
			b.Emit(ev)
		}
		return nil
	})
	cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if err := b.Close(cctx); err != nil {
		return 0, fmt.Errorf("bus: %w", err)
	}
	return time.Since(start), nil
}

func busRedis(ctx context.Context, cfg config) (result, error) {
	key := uniqueName("bus")
	s, err := redissink.New(redissink.Config{Options: busOptions(cfg, cfg.events), URL: cfg.redisURL, StreamKey: key})
	if err != nil {
		return result{}, err
	}
	elapsed, err := emitAll(ctx, cfg, s, cfg.events)
	stored, lerr := streamLen(cfg.redisURL, key)
	if err == nil {
		err = lerr
	}
	return result{name: "streamll-go bus → redissink", events: cfg.events, elapsed: elapsed, stored: stored}, err
}

func busAMQP(ctx context.Context, cfg config) (result, error) {
	name := uniqueName("bus")
	admin, err := newAMQPAdmin(cfg.rabbitURL)
	if err != nil {
		return result{}, err
	}
	defer admin.drop(name, name)
	if err := admin.bind(name, "topic", name, "#"); err != nil {
		return result{}, err
	}
	s, err := rabbitmqsink.New(rabbitmqsink.Config{
		Options: busOptions(cfg, cfg.amqpEvents), URL: cfg.rabbitURL, Exchange: name, ConfirmWindow: cfg.confirmWindow,
	})
	if err != nil {
		return result{}, err
	}
	elapsed, err := emitAll(ctx, cfg, s, cfg.amqpEvents)
	if err != nil {
		return result{}, err
	}
	stored, err := admin.waitDepth(name, int64(cfg.amqpEvents))
	return result{name: fmt.Sprintf("streamll-go bus → rabbitmqsink (confirms, window %d)", cfg.confirmWindow),
		events: cfg.amqpEvents, elapsed: elapsed, stored: stored}, err
}

func busNATS(ctx context.Context, cfg config) (result, error) {
	name := uniqueName("bus")
	admin, err := newNATSAdmin(cfg.natsURL)
	if err != nil {
		return result{}, err
	}
	defer admin.close()
	if err := admin.create(name); err != nil {
		return result{}, err
	}
	defer admin.drop(name)
	s, err := natssink.New(natssink.Config{
		Options: busOptions(cfg, cfg.natsEvents), URL: cfg.natsURL, Stream: name, Subject: name, Window: cfg.confirmWindow,
	})
	if err != nil {
		return result{}, err
	}
	elapsed, err := emitAll(ctx, cfg, s, cfg.natsEvents)
	if err != nil {
		return result{}, err
	}
	stored, err := admin.count(name)
	return result{name: fmt.Sprintf("streamll-go bus → natssink (PublishAsync, window %d)", cfg.confirmWindow),
		events: cfg.natsEvents, elapsed: elapsed, stored: stored}, err
}
