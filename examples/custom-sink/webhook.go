package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// WebhookConfig configures a Webhook. URL is required; every other field's
// zero value is its default.
type WebhookConfig struct {
	// Options configure the host that runs the sink: filter, batching,
	// buffer, retries, breaker. Default: see sinks.Options.
	sinks.Options
	// URL receives each batch as a POST of a JSON array of events in wire
	// format. Required.
	URL string
}

// Webhook posts each batch of events, as a JSON array in wire format, to an
// HTTP endpoint. Make one with NewWebhook; a bus calls Write and Close from
// one goroutine at a time.
type Webhook struct {
	cfg       WebhookConfig
	target    string          // scheme, host and path: no credentials, no query
	transport *http.Transport // the sink's own, so that Close releases its connections
	client    *http.Client
	body      []byte // reused by every Write
	closed    bool
}

// NewWebhook validates cfg and returns a sink. It does not connect: the
// first Write does. Its errors wrap sinks.ErrInvalidConfig.
func NewWebhook(cfg WebhookConfig) (*Webhook, error) {
	u, err := url.Parse(cfg.URL)
	switch {
	case err != nil && strings.Contains(cfg.URL, "@"):
		return nil, fmt.Errorf("%w: webhook: URL is not a valid URL (details withheld: it holds credentials)", sinks.ErrInvalidConfig)
	case err != nil:
		return nil, fmt.Errorf("%w: webhook: URL %q is not a valid URL", sinks.ErrInvalidConfig, cfg.URL)
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return nil, fmt.Errorf("%w: webhook: URL %s is not an http:// or https:// URL", sinks.ErrInvalidConfig, u.Redacted())
	}
	if err := cfg.Options.Validate(); err != nil {
		return nil, err
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 1}
	return &Webhook{
		cfg:       cfg,
		target:    u.Scheme + "://" + u.Host + u.Path,
		transport: transport,
		client:    &http.Client{Transport: transport},
	}, nil
}

// Write posts batch and returns nil once the endpoint answered 2xx. A
// network error, a deadline, or an answer that a retry may cure (408, 429,
// 5xx) fails the whole batch, and the host sends it again; any other answer
// is the endpoint refusing the batch, which no retry cures.
func (w *Webhook) Write(ctx context.Context, batch []*events.Event) error {
	if w.closed {
		return sinks.ErrClosed
	}
	if len(batch) == 0 {
		return nil
	}
	w.body = append(w.body[:0], '[')
	for i, ev := range batch {
		if i > 0 {
			w.body = append(w.body, ',')
		}
		w.body = events.AppendJSON(w.body, ev)
	}
	w.body = append(w.body, ']')

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.cfg.URL, bytes.NewReader(w.body))
	if err != nil {
		return sinks.Permanent(fmt.Errorf("webhook: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := w.client.Do(req) // net/http hides the URL's password in its errors
	if err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // so the connection is reused
	resp.Body.Close()
	switch code := resp.StatusCode; {
	case code/100 == 2:
		return nil
	case code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500:
		return fmt.Errorf("webhook: %s answered %s", w.target, resp.Status)
	default:
		return sinks.Permanent(fmt.Errorf("webhook: %s refused the batch: %s", w.target, resp.Status))
	}
}

// Close releases the sink's connections. Write holds nothing back, so there
// is nothing to flush. Later Writes fail with sinks.ErrClosed; a second
// Close returns nil.
func (w *Webhook) Close(context.Context) error {
	if w.closed {
		return nil
	}
	w.closed = true
	w.transport.CloseIdleConnections()
	return nil
}

// Name returns "webhook:" and the endpoint's host and path, which label the
// sink in Health.
func (w *Webhook) Name() string { return "webhook:" + strings.TrimPrefix(w.target, "http://") }

// Destination says where the sink posts, so that a bus refuses a second
// sink left at the same endpoint.
func (w *Webhook) Destination() string { return w.target }

// HostOptions returns the host options of the Config.
func (w *Webhook) HostOptions() sinks.Options { return w.cfg.Options }

// Rebuild returns a fresh sink from the same Config, with connections of its
// own, for the host to write through after this one panicked.
func (w *Webhook) Rebuild(context.Context) (sinks.Sink, error) { return NewWebhook(w.cfg) }
