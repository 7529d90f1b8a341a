package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/events"
)

// runRawNATS is the JetStream ceiling: one nats.go connection publishing the
// same messages as the sink (subject, Nats-Msg-Id and the same headers) with
// PublishAsync, at most cfg.Confirm unacknowledged at a time (a sliding
// window: a new message goes out as soon as the oldest is acknowledged).
func runRawNATS(ctx context.Context, cfg config) (Run, error) {
	t := &target{kind: kindNATS, name: fmt.Sprintf("%s_%s_raw", cfg.Prefix, runSuffix())}
	if err := createNATSStream(ctx, cfg.NATSURL, t.name); err != nil {
		return Run{}, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		_ = deleteNATSStream(cctx, cfg.NATSURL, t.name)
	}()
	if cfg.Consumer != consumeOff {
		r, err := newNATSReader(ctx, cfg.NATSURL, t.name)
		if err != nil {
			return Run{}, err
		}
		defer r.close()
		t.consumer = newConsumer(r, cfg.Consumer == consumeLive)
	}
	nc, _, err := dialNATS(cfg.NATSURL, "streamll-bench-raw")
	if err != nil {
		return Run{}, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(cfg.Confirm))
	if err != nil {
		return Run{}, err
	}
	if t.consumer != nil {
		t.consumer.start(ctx)
	}
	name := fmt.Sprintf("raw nats.go PublishAsync (window %d)", cfg.Confirm)
	var c rawCounts
	u := startUsage()
	start := time.Now()
	pr := startProgress(cfg.progressOut, cfg.tty, name, cfg.Tick, c.snapshot)
	pubErr := natsPublish(ctx, js, natsRawSubject(t.name), newWorkload(cfg.Payload), newQuota(cfg, start), cfg.Confirm, &c)
	elapsed := time.Since(start)
	pr.end()
	r, err := finishRaw(ctx, cfg, name, 1, t, &c, elapsed, u)
	return r, errors.Join(pubErr, err)
}

// natsRawSubject is the subject prefix of the raw baseline's messages; the
// event type follows, as the sink's template renders it.
func natsRawSubject(name string) string {
	s := natsSubject(name)
	return s[:len(s)-len("{event_type}")]
}

// natsPublish publishes the quota's events with a sliding ack window.
func natsPublish(ctx context.Context, js jetstream.JetStream, prefix string, w *workload, q *quota, window int, c *rawCounts) error {
	execID := events.NewID()
	ring := make([]jetstream.PubAckFuture, window)
	head, inFlight := 0, 0
	settle := func() error {
		f := ring[head]
		ring[head] = nil
		head = (head + 1) % window
		inFlight--
		select {
		case <-f.Ok():
			c.delivered.Add(1)
		case <-f.Err():
			c.failed.Add(1)
		case <-ctx.Done():
			return ctx.Err()
		}
		return nil
	}
	for q.take(1) == 1 {
		if inFlight == window {
			if err := settle(); err != nil {
				return err
			}
		}
		ev := w.stamped(execID)
		m := &nats.Msg{
			Subject: prefix + string(ev.EventType),
			Data:    events.AppendJSON(nil, &ev),
			Header: nats.Header{
				jetstream.MsgIDHeader: []string{ev.EventID},
				"Content-Type":        []string{"application/json"},
				"event_type":          []string{string(ev.EventType)},
				"operation":           []string{ev.Operation},
				"module_name":         []string{ev.ModuleName},
				"method_name":         []string{ev.MethodName},
				"execution_id":        []string{ev.ExecutionID},
				"schema_version":      []string{events.SchemaVersion},
			},
		}
		f, err := js.PublishMsgAsync(m)
		c.emitted.Add(1)
		if err != nil {
			c.failed.Add(1)
			return fmt.Errorf("raw publish: %w", err)
		}
		ring[(head+inFlight)%window] = f
		inFlight++
	}
	for inFlight > 0 {
		if err := settle(); err != nil {
			return err
		}
	}
	return nil
}
