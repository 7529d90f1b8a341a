package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
)

// uniqueName names a run's stream, exchange or queue.
func uniqueName(system string) string {
	return fmt.Sprintf("streamll_peers_%s_%s", system, rand.Text()[:8])
}

func redisClient(rawURL string, pool int) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL is not a redis URL")
	}
	opts.PoolSize = pool
	return redis.NewClient(opts), nil
}

// streamLen returns the stream's length and deletes it.
func streamLen(rawURL, key string) (int64, error) {
	c, err := redisClient(rawURL, 1)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := c.XLen(ctx, key).Result()
	if err != nil {
		return 0, fmt.Errorf("XLEN %s: %w", key, err)
	}
	return n, c.Del(ctx, key).Err()
}

// amqpAdmin is a connection for declaring, inspecting and deleting.
type amqpAdmin struct {
	conn *amqp.Connection
	ch   *amqp.Channel
}

func newAMQPAdmin(rawURL string) (*amqpAdmin, error) {
	conn, err := amqp.Dial(rawURL)
	if err != nil {
		return nil, fmt.Errorf("RabbitMQ unreachable (set RABBITMQ_URL)")
	}
	ch, err := conn.Channel()
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &amqpAdmin{conn: conn, ch: ch}, nil
}

// bind declares a durable exchange of kind and a durable queue bound to it
// with key, so that persistent messages are stored as an audit trail's are.
func (a *amqpAdmin) bind(exchange, kind, queue, key string) error {
	if err := a.ch.ExchangeDeclare(exchange, kind, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare %s: %w", exchange, err)
	}
	if _, err := a.ch.QueueDeclare(queue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare queue %s: %w", queue, err)
	}
	return a.ch.QueueBind(queue, key, exchange, false, nil)
}

// depth returns how many messages the queue holds.
func (a *amqpAdmin) depth(queue string) (int64, error) {
	q, err := a.ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	return int64(q.Messages), err
}

// waitDepth waits until the queue holds want messages or stops growing.
func (a *amqpAdmin) waitDepth(queue string, want int64) (int64, error) {
	var last int64 = -1
	still := 0
	for {
		n, err := a.depth(queue)
		if err != nil || n >= want {
			return n, err
		}
		if n == last {
			if still++; still == 200 { // 2s without progress
				return n, nil
			}
		} else {
			still = 0
		}
		last = n
		time.Sleep(10 * time.Millisecond)
	}
}

// drop deletes the queue and exchange and closes the connection.
func (a *amqpAdmin) drop(exchange, queue string) {
	_, _ = a.ch.QueueDelete(queue, false, false, false)
	_ = a.ch.ExchangeDelete(exchange, false, false)
	a.conn.Close()
}

// natsAdmin is a connection for creating, counting and deleting streams.
type natsAdmin struct {
	nc *nats.Conn
	js jetstream.JetStream
}

func newNATSAdmin(rawURL string) (*natsAdmin, error) {
	nc, err := nats.Connect(rawURL, nats.Name("streamll-peers-admin"))
	if err != nil {
		return nil, fmt.Errorf("NATS unreachable (set NATS_URL)")
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, err
	}
	return &natsAdmin{nc: nc, js: js}, nil
}

// create makes a file stream named name that binds the subject name, as a
// user's stream keeps events on disk.
func (a *natsAdmin) create(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := a.js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{name}, Storage: jetstream.FileStorage})
	return err
}

// count returns how many messages the stream holds.
func (a *natsAdmin) count(name string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := a.js.Stream(ctx, name)
	if err != nil {
		return 0, err
	}
	return int64(st.CachedInfo().State.Msgs), nil
}

func (a *natsAdmin) drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.js.DeleteStream(ctx, name)
}

func (a *natsAdmin) close() { a.nc.Close() }
