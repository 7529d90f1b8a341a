package rabbitmqsink

import (
	"context"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Rebuild returns a fresh sink built from the same Config, for a restart
// after a panic: no connection, channel, pending confirm or return is carried
// over. Like New, it does not connect; the next Write does.
func (s *Sink) Rebuild(context.Context) (sinks.Sink, error) { return New(s.cfg) }
