package redissink

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/redis/go-redis/v9"
)

// SetClientLogger routes go-redis's own log lines, such as "redis:
// connection pool: failed to dial after 5 attempts", into l at level Warn,
// with component=go-redis; nil discards them.
//
// go-redis has one logger for the whole process, writing to standard error
// by default, whatever the sink's configuration says; this package never
// changes it on its own, since it belongs to every go-redis client of the
// program, not only to the sinks. A program calls SetClientLogger once, early
// (before its clients start), when it wants those lines in its own log or
// nowhere: it then affects every go-redis client the program has. go-redis's
// logging.Enable restores its default.
func SetClientLogger(l *slog.Logger) {
	redis.SetLogger(clientLogger{l})
}

// clientLogger adapts a *slog.Logger to go-redis's Printf-shaped logger.
type clientLogger struct{ l *slog.Logger }

func (c clientLogger) Printf(ctx context.Context, format string, args ...any) {
	if c.l == nil || !c.l.Enabled(ctx, slog.LevelWarn) {
		return
	}
	c.l.Log(ctx, slog.LevelWarn, fmt.Sprintf(format, args...), "component", "go-redis")
}
