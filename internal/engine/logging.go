package engine

import (
	"context"
	"log/slog"
)

// warnOnly passes on records at Warn and above: protoactor logs every actor
// start and recovery at Info, which is noise next to our own lines.
type warnOnly struct{ slog.Handler }

func (w warnOnly) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && w.Handler.Enabled(ctx, l)
}

func (w warnOnly) WithAttrs(as []slog.Attr) slog.Handler { return warnOnly{w.Handler.WithAttrs(as)} }

func (w warnOnly) WithGroup(name string) slog.Handler { return warnOnly{w.Handler.WithGroup(name)} }

func protoactorLogger(l *slog.Logger) *slog.Logger {
	return slog.New(warnOnly{l.Handler()}).With("component", "protoactor")
}
