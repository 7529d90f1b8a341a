package bus

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/streamll/streamll-go/actors/sinks"
)

// ErrInvalidConfig is wrapped by every error New reports about its Config.
// It also matches sinks.ErrInvalidConfig, so one check covers both.
var ErrInvalidConfig = fmt.Errorf("bus: %w", sinks.ErrInvalidConfig)

// ErrClosed is returned by operations on a closed bus.
var ErrClosed = errors.New("bus: closed")

// ErrUnknownSink is returned by Restart for a name no sink has.
var ErrUnknownSink = errors.New("bus: unknown sink")

// Config configures a Bus. The zero value is valid: a bus with no sinks,
// which counts nothing and delivers nothing.
type Config struct {
	// Sinks receive the events, each in its own supervised actor. A sink that
	// implements sinks.Configured (every driver of this module does) brings
	// its own host options; wrap others with sinks.WithOptions.
	Sinks []sinks.Sink
	// Logger receives the bus's own log lines: breaker changes, restarts,
	// drops at Close, and protoactor's warnings. Nil means silent.
	Logger *slog.Logger
}

// hostOptions returns the host options a sink carries, or the defaults.
func hostOptions(s sinks.Sink) sinks.Options {
	if c, ok := s.(sinks.Configured); ok {
		return c.HostOptions()
	}
	return sinks.Options{}
}

// sinkName picks a unique name for the i-th sink.
func sinkName(s sinks.Sink, opts sinks.Options, i int, taken map[string]bool) string {
	name := opts.Name
	if name == "" {
		if n, ok := s.(sinks.Namer); ok {
			name = n.Name()
		}
	}
	if name == "" {
		name = fmt.Sprintf("sink-%d", i)
	}
	unique := name
	for k := 2; taken[unique]; k++ {
		unique = fmt.Sprintf("%s#%d", name, k)
	}
	taken[unique] = true
	return unique
}
