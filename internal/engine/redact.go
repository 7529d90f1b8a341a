package engine

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/streamll/streamll-go/actors/sinks"
)

// redacting passes every record to its handler with URL passwords hidden in
// the message and in every attribute's text, the same redaction Health
// applies: a driver's panic value or error may quote a URL with its
// password, and a log line must not show it.
type redacting struct{ slog.Handler }

func redactLogger(l *slog.Logger) *slog.Logger { return slog.New(redacting{l.Handler()}) }

func (r redacting) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, sinks.Redact(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return r.Handler.Handle(ctx, out)
}

func (r redacting) WithAttrs(as []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(as))
	for i, a := range as {
		clean[i] = redactAttr(a)
	}
	return redacting{r.Handler.WithAttrs(clean)}
}

func (r redacting) WithGroup(name string) slog.Handler { return redacting{r.Handler.WithGroup(name)} }

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, sinks.Redact(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = redactAttr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, sinks.Redact(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, sinks.Redact(x.String()))
		default:
			return slog.String(a.Key, sinks.Redact(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
