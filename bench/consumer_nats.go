package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// natsSubject is the subject template of a run's NATS sink: one subject per
// event type under the stream's name, which the stream binds with name.>.
func natsSubject(name string) string { return strings.ToLower(name) + ".{event_type}" }

// natsStreamConfig is the stream a run writes to: file storage (JetStream's
// default, what a user would run), bound to the run's subjects.
func natsStreamConfig(name string) jetstream.StreamConfig {
	return jetstream.StreamConfig{Name: name, Subjects: []string{strings.ToLower(name) + ".>"}, Storage: jetstream.FileStorage}
}

// dialNATS connects to rawURL; errors never show credentials.
func dialNATS(rawURL, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(rawURL, nats.Name(name), nats.Timeout(5*time.Second))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: nats %s: %v", errNoServer, redactURL(rawURL), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// createNATSStream creates the run's stream, so that the sink finds it.
func createNATSStream(ctx context.Context, rawURL, name string) error {
	nc, js, err := dialNATS(rawURL, "streamll-bench-admin")
	if err != nil {
		return err
	}
	defer nc.Close()
	if _, err := js.CreateStream(ctx, natsStreamConfig(name)); err != nil {
		return fmt.Errorf("create stream %s: %w", name, err)
	}
	return nil
}

// deleteNATSStream removes the run's stream.
func deleteNATSStream(ctx context.Context, rawURL, name string) error {
	nc, js, err := dialNATS(rawURL, "streamll-bench-admin")
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := js.DeleteStream(ctx, name); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("delete stream %s: %w", name, err)
	}
	return nil
}

// natsReader reads the run's stream from its first message through an
// ordered consumer (a pull consumer the client keeps fed ahead of reading),
// over its own connection straight to the server.
type natsReader struct {
	nc     *nats.Conn
	stream jetstream.Stream
	iter   jetstream.MessagesContext
	read   uint64
}

func newNATSReader(ctx context.Context, rawURL, name string) (*natsReader, error) {
	nc, js, err := dialNATS(rawURL, "streamll-bench-consumer")
	if err != nil {
		return nil, err
	}
	st, err := js.Stream(ctx, name)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("stream %s: %w", name, err)
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("consumer of %s: %w", name, err)
	}
	iter, err := c.Messages(jetstream.PullMaxMessages(2000))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("consume %s: %w", name, err)
	}
	return &natsReader{nc: nc, stream: st, iter: iter}, nil
}

func (r *natsReader) poll(ctx context.Context, wait time.Duration, fn func([]byte)) (int, error) {
	n := 0
	for n < 1000 {
		m, err := r.iter.Next(jetstream.NextMaxWait(wait))
		switch {
		case errors.Is(err, nats.ErrTimeout):
			return n, ctx.Err()
		case err != nil:
			return n, fmt.Errorf("consumer: %w", err)
		}
		fn(m.Data())
		n++
		r.read++
		wait = time.Millisecond // take what is already there, then return
	}
	return n, nil
}

func (r *natsReader) pending(ctx context.Context) (bool, error) {
	info, err := r.stream.Info(ctx)
	if err != nil {
		return false, fmt.Errorf("stream info: %w", err)
	}
	return info.State.Msgs > r.read, nil
}

func (r *natsReader) close() error {
	r.iter.Stop()
	r.nc.Close()
	return nil
}
