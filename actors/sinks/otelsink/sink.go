package otelsink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/sinklog"
)

// ScopeName is the instrumentation scope of the exported spans.
const ScopeName = "github.com/streamll/streamll-go/actors/sinks/otelsink"

// ErrExport is wrapped by every error of a failed export.
var ErrExport = errors.New("otelsink: export failed")

// Sink turns executions into OpenTelemetry spans and exports them over
// OTLP/HTTP. Create it with New; the host calls Write and Close from one
// goroutine at a time. Stats may be called from any goroutine.
type Sink struct {
	cfg   Config // as given to New, for Rebuild
	opts  sinks.Options
	name  string
	place string // Destination
	now   func() time.Time
	warn  warner

	tracker   *tracker
	builder   *builder
	provider  *sdktrace.TracerProvider
	exporter  *otlptrace.Exporter
	transport *http.Transport
	recorder  *recorder

	closed atomic.Bool
	stats  counters
}

// counters are the Stats, updated by Write and Close, read by anyone.
type counters struct {
	open, spans, incomplete, withoutStart, rejected, refused, ignored, eventsDropped, lost atomic.Int64
}

// Stats are the sink's counts since New. They complement the bus's Health,
// which counts events: these count what the events became.
type Stats struct {
	// Open is the number of executions started and not yet ended.
	Open int
	// Spans counts the spans the receiver accepted.
	Spans int64
	// Incomplete counts executions ended without their end event: quiet for
	// Config.IncompleteAfter, or still open at Close.
	Incomplete int64
	// WithoutStart counts spans made from an end or error event alone,
	// because the sink did not hold the start (filtered out, dropped,
	// refused).
	WithoutStart int64
	// Rejected counts spans the receiver accepted the request of but
	// rejected (an OTLP partial success).
	Rejected int64
	// Refused counts executions not held because Config.MaxOpen were open.
	Refused int64
	// Ignored counts events that changed no span: token and custom events of
	// executions that are not open, events of executions already ended as
	// incomplete, second start events, events outside any execution.
	Ignored int64
	// SpanEventsDropped counts span events beyond Config.MaxSpanEvents.
	SpanEventsDropped int64
	// Lost counts spans that were never accepted: those of a batch the
	// receiver refused permanently (the host counts its events dropped), and
	// those Close could not export.
	Lost int64
}

// New validates cfg and returns a sink. It does not connect: the first
// export does, so New neither blocks nor needs the receiver up. Every
// configuration error wraps sinks.ErrInvalidConfig and none contains a
// password or a header value.
func New(cfg Config) (*Sink, error) {
	return newSink(context.Background(), cfg)
}

func newSink(ctx context.Context, given Config) (*Sink, error) {
	cfg := given.withDefaults()
	ep, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	res, err := newResource(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: otelsink: Resource: %v", sinks.ErrInvalidConfig, err)
	}
	s := &Sink{
		cfg:       given,
		opts:      cfg.Options,
		name:      "otlp:" + ep.shown,
		place:     netaddr.Place(ep.url),
		now:       time.Now,
		warn:      warner{log: sinklog.New(cfg.Logger, cmp.Or(cfg.Options.Name, "otlp:"+ep.shown))},
		tracker:   newTracker(cfg),
		transport: newTransport(cfg),
	}
	s.recorder = &recorder{base: s.transport}
	headers := maps.Clone(cfg.Headers)
	if headers == nil {
		headers = map[string]string{} // never the environment's
	}
	if ep.auth != "" {
		headers["Authorization"] = ep.auth
	}
	compression := otlptracehttp.NoCompression
	if cfg.Gzip {
		compression = otlptracehttp.GzipCompression
	}
	// Every option is set, so that no OTEL_EXPORTER_OTLP_* variable changes
	// what Config says. The exporter neither retries nor queues: the host's
	// buffer, breaker and retry do, and Write returns each export's outcome.
	s.exporter, err = otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(ep.url),
		otlptracehttp.WithHeaders(headers),
		otlptracehttp.WithCompression(compression),
		otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: s.recorder}),
	)
	if err != nil {
		s.transport.CloseIdleConnections()
		return nil, fmt.Errorf("otelsink: exporter: %w", err)
	}
	col := &collector{}
	s.provider = sdktrace.NewTracerProvider(
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
		sdktrace.WithIDGenerator(fixedIDs{}),
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(col),
		sdktrace.WithRawSpanLimits(spanLimits(cfg)),
	)
	s.builder = &builder{
		tracer:          s.provider.Tracer(ScopeName, trace.WithSchemaURL(semconv.SchemaURL)),
		collector:       col,
		incompleteAfter: cfg.IncompleteAfter,
	}
	return s, nil
}

// spanLimits are the SDK's defaults, set here so that no OTEL_SPAN_*
// variable changes them, with room for every span event the sink keeps and
// the exception event.
func spanLimits(cfg Config) sdktrace.SpanLimits {
	return sdktrace.SpanLimits{
		AttributeValueLengthLimit:   -1,
		AttributeCountLimit:         sdktrace.DefaultAttributeCountLimit,
		EventCountLimit:             max(cfg.MaxSpanEvents, 0) + 1,
		LinkCountLimit:              sdktrace.DefaultLinkCountLimit,
		AttributePerEventCountLimit: sdktrace.DefaultAttributePerEventCountLimit,
		AttributePerLinkCountLimit:  sdktrace.DefaultAttributePerLinkCountLimit,
	}
}

func newResource(cfg Config) (*resource.Resource, error) {
	res := resource.NewSchemaless(
		semconv.ServiceName(defaultServiceName()),
		semconv.TelemetrySDKName("opentelemetry"),
		semconv.TelemetrySDKLanguageGo,
		semconv.TelemetrySDKVersion(sdk.Version()),
	)
	var err error
	if cfg.Resource != nil {
		if res, err = resource.Merge(res, cfg.Resource); err != nil {
			return nil, err
		}
	}
	if cfg.ServiceName != "" {
		return resource.Merge(res, resource.NewSchemaless(semconv.ServiceName(cfg.ServiceName)))
	}
	return res, nil
}

// Rebuild returns a fresh sink built from the same Config: a new exporter,
// new connections and no open executions. The host calls it after a panic.
// The executions open in s are not carried over: their later events make
// spans from their end events alone.
func (s *Sink) Rebuild(ctx context.Context) (sinks.Sink, error) {
	return newSink(ctx, s.cfg)
}

// Name returns "otlp:" and the endpoint's host and base path, such as
// "otlp:localhost:4318" or "otlp:cloud.langfuse.com/api/public/otel".
func (s *Sink) Name() string { return s.name }

// LogTo logs to l, the bus's logger for this sink, unless Config.Logger is
// set; the host calls it (see sinks.Logging).
func (s *Sink) LogTo(l *slog.Logger) { s.warn.log.LogTo(l) }

// Destination says where the sink exports: the receiver's URL, without
// credentials, such as "http://localhost:4318/v1/traces". A bus refuses a
// second sink with the same destination unless Options.Name tells them
// apart.
func (s *Sink) Destination() string { return s.place }

// HostOptions returns the host options embedded in the Config.
func (s *Sink) HostOptions() sinks.Options { return s.opts }

// Stats returns the sink's counts since New. It is safe to call at any time
// from any goroutine.
func (s *Sink) Stats() Stats {
	c := &s.stats
	return Stats{
		Open:              int(c.open.Load()),
		Spans:             c.spans.Load(),
		Incomplete:        c.incomplete.Load(),
		WithoutStart:      c.withoutStart.Load(),
		Rejected:          c.rejected.Load(),
		Refused:           c.refused.Load(),
		Ignored:           c.ignored.Load(),
		SpanEventsDropped: c.eventsDropped.Load(),
		Lost:              c.lost.Load(),
	}
}

// Write takes batch into the open executions and exports, in one OTLP
// request, the span of every execution that ended in it (and of those found
// quiet for Config.IncompleteAfter). It returns nil when the receiver
// accepted them, or when no span was due; an error marked sinks.Permanent
// when the receiver refused them for good (an HTTP 4xx other than 408 and
// 429); any other error (no answer, a timeout, 408, 429, 5xx) leaves the
// sink exactly as it was before the call, so that the host's retry of the
// same batch makes the same spans. See the package documentation.
func (s *Sink) Write(ctx context.Context, batch []*events.Event) error {
	if s.closed.Load() {
		return fmt.Errorf("otelsink: write: %w", sinks.ErrClosed)
	}
	if len(batch) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("otelsink: write: %w", err)
	}
	p := s.tracker.begin(s.now())
	for _, ev := range batch {
		p.apply(ev)
	}
	p.expire()
	err := s.export(ctx, p.finished)
	if err != nil && !sinks.IsPermanent(err) {
		return err // p is dropped: nothing changed
	}
	s.commit(p, err != nil)
	return err
}

// commit applies p and counts it; lost says its spans were not accepted.
func (s *Sink) commit(p *pass, lost bool) {
	p.commit()
	c := &s.stats
	c.open.Store(int64(s.tracker.len()))
	if lost {
		c.lost.Add(int64(len(p.finished)))
	} else {
		c.spans.Add(int64(len(p.finished)))
	}
	c.incomplete.Add(p.counts.incomplete)
	c.withoutStart.Add(p.counts.withoutStart)
	c.refused.Add(p.counts.refused)
	c.ignored.Add(p.counts.ignored)
	c.eventsDropped.Add(p.counts.eventsDropped)
	now := p.now
	if p.counts.refused > 0 {
		s.warn.warn(now, "refused", "otelsink: executions not held: the open-execution limit is reached; their spans will be made from their end events",
			"max_open", s.tracker.maxOpen, "refused_total", c.refused.Load())
	}
	if p.counts.ignored > 0 {
		s.warn.warn(now, "ignored", "otelsink: events of executions that are not open were ignored",
			"ignored_total", c.ignored.Load())
	}
}

// export sends the spans of fs in one request and classifies the outcome.
func (s *Sink) export(ctx context.Context, fs []finished) error {
	if len(fs) == 0 {
		return nil
	}
	spans := s.builder.build(fs)
	s.recorder.reset()
	err := s.exporter.ExportSpans(ctx, spans)
	return s.classify(err, s.recorder.outcome(), len(spans))
}

// classify turns an export's error and what the receiver answered into
// Write's result. OTLP/HTTP says 429, 502, 503 and 504 may be retried; this
// sink retries every 5xx and 408 too, since the host's breaker bounds what
// retrying a sick receiver costs, and treats the other 4xx (400 malformed,
// 401 and 403 credentials, 404 path, 413 too large) as permanent.
func (s *Sink) classify(err error, o outcome, n int) error {
	switch {
	case o.status/100 == 2:
		if o.rejected > 0 || o.message != "" {
			s.stats.rejected.Add(o.rejected)
			s.warn.warn(s.now(), "rejected", "otelsink: the receiver rejected spans (OTLP partial success)",
				"rejected", o.rejected, "message", o.message)
		}
		return nil // accepted
	case err == nil:
		return nil
	case o.status == 0:
		return fmt.Errorf("%w: %d span(s) to %s: %w", ErrExport, n, s.name, err)
	case o.status == http.StatusRequestTimeout || o.status == http.StatusTooManyRequests || o.status >= 500:
		return fmt.Errorf("%w: %d span(s) to %s: HTTP %d: %w", ErrExport, n, s.name, o.status, err)
	}
	return sinks.Permanent(fmt.Errorf("%w: %d span(s) to %s: the receiver refused them (HTTP %d): %w", ErrExport, n, s.name, o.status, err))
}

// Close ends every open execution as incomplete and exports their spans,
// until ctx ends; then it releases the exporter and its connections. Later
// Writes fail with sinks.ErrClosed. It returns the error of that last export,
// if any; calling Close again returns nil.
func (s *Sink) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	p := s.tracker.begin(s.now())
	p.closeAll()
	n := len(p.finished)
	err := s.export(ctx, p.finished)
	s.commit(p, err != nil)
	// Neither holds anything to flush (the span processor is synchronous,
	// the exporter has no queue), so they need no part of ctx, which may
	// be spent already.
	shutdown := errors.Join(s.provider.Shutdown(context.Background()), s.exporter.Shutdown(context.Background()))
	s.transport.CloseIdleConnections()
	switch {
	case err != nil:
		return fmt.Errorf("otelsink: close: the spans of %d open executions were not exported: %w", n, errors.Join(err, shutdown))
	case shutdown != nil:
		return fmt.Errorf("otelsink: close: %w", shutdown)
	}
	return nil
}

// warner logs each kind of warning at most once a minute.
type warner struct {
	log  *sinklog.Logger
	last map[string]time.Time
}

func (w *warner) warn(now time.Time, kind, msg string, args ...any) {
	if t, ok := w.last[kind]; ok && now.Sub(t) < time.Minute {
		return
	}
	if w.last == nil {
		w.last = make(map[string]time.Time)
	}
	w.last[kind] = now
	w.log.Warn(msg, args...)
}
