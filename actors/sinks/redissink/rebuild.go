package redissink

import (
	"context"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Rebuild returns a fresh sink built from the same Config, for a restart
// after a panic: a new client with new connections (a Config.Client is
// reused: its owner keeps it), and no pipeline or buffers carried over. Like
// New, it does not connect.
func (s *Sink) Rebuild(context.Context) (sinks.Sink, error) { return New(s.cfg) }
