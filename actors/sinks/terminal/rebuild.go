package terminal

import (
	"context"

	"github.com/streamll/streamll-go/actors/sinks"
)

// Rebuild returns a fresh terminal sink with the same configuration and
// output, for a restart after a panic: no half-written line or token run is
// carried over. Config.Output is reused; the caller owns it.
func (s *Sink) Rebuild(context.Context) (sinks.Sink, error) { return New(s.cfg) }
