// Package sinklog is the logger of a sink driver of this module: the one
// its Config gives, else the one its host gives through sinks.Logging (the
// bus's, labelled with the sink's name), else none. Drivers log through it
// and implement LogTo by passing the host's logger on, so that one logger
// serves a whole bus and every line names the sink as Health does.
package sinklog

import (
	"log/slog"
	"sync/atomic"
)

var discard = slog.New(slog.DiscardHandler)

// Logger is a driver's logger. Its methods are safe for concurrent use: a
// client library's callbacks may log while the host hands a logger over.
type Logger struct {
	own  *slog.Logger // the Config's, labelled; nil if none
	host atomic.Pointer[slog.Logger]
}

// New returns the logger of a driver whose Config holds own (nil: none).
// Lines to own are labelled sink=name, as the host labels its own; name is
// Options.Name when set, else the driver's name.
func New(own *slog.Logger, name string) *Logger {
	l := &Logger{}
	if own != nil {
		l.own = own.With("sink", name)
	}
	return l
}

// LogTo is the driver's sinks.Logging method: it logs to h from now on,
// unless the Config gave a logger of its own.
func (l *Logger) LogTo(h *slog.Logger) {
	if h != nil {
		l.host.Store(h)
	}
}

// Get returns the logger in use: the Config's, the host's, or one that
// discards everything.
func (l *Logger) Get() *slog.Logger {
	if l.own != nil {
		return l.own
	}
	if h := l.host.Load(); h != nil {
		return h
	}
	return discard
}

// Info logs at Info level.
func (l *Logger) Info(msg string, args ...any) { l.Get().Info(msg, args...) }

// Warn logs at Warn level.
func (l *Logger) Warn(msg string, args ...any) { l.Get().Warn(msg, args...) }

// Error logs at Error level.
func (l *Logger) Error(msg string, args ...any) { l.Get().Error(msg, args...) }
