package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// subjectTemplate is the sink's subject: consumers filter on it, such as
// ai.*.error for every error or ai.Writer.> for one module.
const subjectTemplate = "ai.{module_name}.{event_type}"

// streamConfig is the stream both sides create if it is missing: on disk,
// every event kept for a week, duplicates (a retried publish) dropped by
// Nats-Msg-Id within 2 minutes. On a cluster, set Replicas to 3.
func streamConfig(name string) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:       name,
		Subjects:   []string{"ai.>"},
		Storage:    jetstream.FileStorage,
		MaxAge:     7 * 24 * time.Hour,
		Duplicates: 2 * time.Minute,
	}
}

// connect connects to the servers of natsURL for the consumer and reset,
// which use nats.go directly.
func connect(natsURL, name string) (*nats.Conn, jetstream.JetStream, error) {
	nc, err := nats.Connect(natsURL, nats.Name(name), nats.MaxReconnects(-1))
	if err != nil {
		return nil, nil, fmt.Errorf("connecting to %s: %w", redactURLs(natsURL), err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return nc, js, nil
}

// ensureStream creates the stream unless it exists.
func ensureStream(ctx context.Context, js jetstream.JetStream, name string) (jetstream.Stream, error) {
	st, err := js.Stream(ctx, name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st, err = js.CreateStream(ctx, streamConfig(name))
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			st, err = js.Stream(ctx, name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("stream %s: %w", name, err)
	}
	return st, nil
}

// resetStream deletes the stream, its events and its consumers.
func resetStream(ctx context.Context, natsURL, name string, out io.Writer) error {
	nc, js, err := connect(natsURL, "ai-events-reset")
	if err != nil {
		return err
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	switch err := js.DeleteStream(ctx, name); {
	case errors.Is(err, jetstream.ErrStreamNotFound):
		fmt.Fprintf(out, "stream %s does not exist\n", name)
	case err != nil:
		return fmt.Errorf("deleting stream %s: %w", name, err)
	default:
		fmt.Fprintf(out, "deleted stream %s\n", name)
	}
	return nil
}

// redactURLs hides the passwords and tokens of a comma-separated URL list.
func redactURLs(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		u, err := url.Parse(strings.TrimSpace(p))
		switch {
		case err != nil:
			parts[i] = "(invalid URL)"
		case u.User != nil:
			u.User = url.User("xxxxx")
			parts[i] = u.String()
		}
	}
	return strings.Join(parts, ",")
}
