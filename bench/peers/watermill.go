package main

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	wnats "github.com/ThreeDotsLabs/watermill-nats/v2/pkg/nats"
	"github.com/ThreeDotsLabs/watermill-redisstream/pkg/redisstream"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/streamll/streamll-go/events"
)

// publishAll publishes n encoded events to topic from cfg.producers
// goroutines, one Publish per event as an application publishes them.
func publishAll(cfg config, n int, topic string, pub message.Publisher) (time.Duration, error) {
	start := time.Now()
	err := spread(n, cfg.producers, func(count int) error {
		base := newEvent(cfg.payload)
		for range count {
			ev := stamp(base)
			if err := pub.Publish(topic, message.NewMessage(ev.EventID, events.Marshal(&ev))); err != nil {
				return err
			}
		}
		return nil
	})
	return time.Since(start), err
}

func watermillRedis(_ context.Context, cfg config) (result, error) {
	key := uniqueName("watermill")
	client, err := redisClient(cfg.redisURL, cfg.producers)
	if err != nil {
		return result{}, err
	}
	defer client.Close()
	pub, err := redisstream.NewPublisher(redisstream.PublisherConfig{Client: client}, watermill.NopLogger{})
	if err != nil {
		return result{}, err
	}
	elapsed, err := publishAll(cfg, cfg.events, key, pub)
	pub.Close()
	stored, lerr := streamLen(cfg.redisURL, key)
	if err == nil {
		err = lerr
	}
	return result{name: "watermill-redisstream Publisher", events: cfg.events, elapsed: elapsed, stored: stored}, err
}

func watermillAMQPDefault(ctx context.Context, cfg config) (result, error) {
	return watermillAMQP(ctx, cfg, "watermill-amqp durable pub/sub, as it comes (no confirms)", func(c *wamqp.Config) {})
}

func watermillAMQPTuned(ctx context.Context, cfg config) (result, error) {
	return watermillAMQP(ctx, cfg, "watermill-amqp durable pub/sub, 64 channels, confirms", func(c *wamqp.Config) {
		c.Publish.ChannelPoolSize = 64
		c.Publish.ConfirmDelivery = true
	})
}

// watermillAMQP publishes with NewDurablePubSubConfig (a durable fanout
// exchange named after the topic, persistent messages) into a durable queue
// bound to it. Without confirms the run ends when the queue holds every
// message.
func watermillAMQP(_ context.Context, cfg config, name string, tune func(*wamqp.Config)) (result, error) {
	topic := uniqueName("watermill")
	admin, err := newAMQPAdmin(cfg.rabbitURL)
	if err != nil {
		return result{}, err
	}
	defer admin.drop(topic, topic)
	if err := admin.bind(topic, "fanout", topic, ""); err != nil {
		return result{}, err
	}
	wc := wamqp.NewDurablePubSubConfig(cfg.rabbitURL, nil)
	tune(&wc)
	pub, err := wamqp.NewPublisher(wc, watermill.NopLogger{})
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	_, err = publishAll(cfg, cfg.amqpEvents, topic, pub)
	if err != nil {
		pub.Close()
		return result{}, err
	}
	stored, err := admin.waitDepth(topic, int64(cfg.amqpEvents))
	elapsed := time.Since(start)
	pub.Close()
	return result{name: name, events: cfg.amqpEvents, elapsed: elapsed, stored: stored}, err
}

// watermillNATS publishes with watermill-nats's JetStream publisher, with
// TrackMsgId (the watermill UUID, here the event_id, as Nats-Msg-Id, so a
// retry cannot duplicate, as the sink's) and the sink's three headers as
// metadata, into a file stream made for the run. Each Publish waits for its
// ack, so the producers are the concurrency.
func watermillNATS(_ context.Context, cfg config) (result, error) {
	topic := uniqueName("watermill")
	admin, err := newNATSAdmin(cfg.natsURL)
	if err != nil {
		return result{}, err
	}
	defer admin.close()
	if err := admin.create(topic); err != nil {
		return result{}, err
	}
	defer admin.drop(topic)
	pub, err := wnats.NewPublisher(wnats.PublisherConfig{
		URL:       cfg.natsURL,
		Marshaler: &wnats.NATSMarshaler{},
		JetStream: wnats.JetStreamConfig{TrackMsgId: true},
	}, watermill.NopLogger{})
	if err != nil {
		return result{}, err
	}
	start := time.Now()
	err = spread(cfg.natsEvents, cfg.producers, func(count int) error {
		base := newEvent(cfg.payload)
		for range count {
			ev := stamp(base)
			msg := message.NewMessage(ev.EventID, events.Marshal(&ev))
			msg.Metadata.Set("event_type", string(ev.EventType))
			msg.Metadata.Set("operation", ev.Operation)
			msg.Metadata.Set("module_name", ev.ModuleName)
			if err := pub.Publish(topic, msg); err != nil {
				return err
			}
		}
		return nil
	})
	elapsed := time.Since(start)
	pub.Close()
	if err != nil {
		return result{}, err
	}
	stored, err := admin.count(topic)
	return result{name: "watermill-nats JetStream Publisher (TrackMsgId)", events: cfg.natsEvents, elapsed: elapsed, stored: stored}, err
}
