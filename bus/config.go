package bus

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// ErrInvalidConfig is wrapped by every error New reports about its Config.
// It also matches sinks.ErrInvalidConfig, so one check covers both.
var ErrInvalidConfig = fmt.Errorf("bus: %w", sinks.ErrInvalidConfig)

// ErrClosed is returned by operations on a closed bus.
var ErrClosed = errors.New("bus: closed")

// ErrUnknownSink is returned by Resume for a name no sink has.
var ErrUnknownSink = errors.New("bus: unknown sink")

// ErrNotPaused is returned by Resume for a sink that is not paused.
var ErrNotPaused = errors.New("bus: sink is not paused")

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
	// IntakeSize bounds, in events, the queue between Emit and the bus's
	// router; it is rounded up to a power of two and allocated once (about
	// 200 bytes a slot). When producers outrun the router it fills, and Emit
	// drops and counts what does not fit ("intake_full"). Default 8192.
	IntakeSize int
	// Linger is how long the router, woken by an event after a quiet spell,
	// gathers further events before it routes them. At the rates services run
	// (thousands of events a second) it turns a wake-up, a Write and a round
	// trip per event into one per linger, for a fraction of the CPU; it adds
	// at most Linger to an event's latency while events keep coming (an Emit
	// in its last quarter, at most its last 0.5ms, ends it: an idle Go
	// process's timers fire up to 1ms late), and a backlog of half the
	// intake, Flush or Close cut it short. Default DefaultLinger (2ms): measured at
	// 10K events/s into Redis on a 2-core VM, 1ms cost about as much CPU as a
	// go-redis loop sending one pipeline a millisecond, 2ms about 0.6-0.7 of
	// it with an end-to-end p99 near 4ms, and 4ms about 0.5 with p99 beyond
	// 5ms (docs/benchmarks.md). At most MaxLinger.
	Linger time.Duration
	// NoLinger routes every event as soon as the router can, whatever
	// Linger says: the lowest latency, at the cost of CPU per event at
	// moderate rates.
	NoLinger bool
}

// Defaults and limits for Config.
const (
	DefaultIntakeSize = 8192
	DefaultLinger     = 2 * time.Millisecond
	MaxLinger         = time.Second
)

// hostOptions returns the host options a sink carries, or the defaults.
func hostOptions(s sinks.Sink) sinks.Options {
	if c, ok := s.(sinks.Configured); ok {
		return c.HostOptions()
	}
	return sinks.Options{}
}

// sinkNames names every sink of ss ("" for a nil sink) and reports what
// makes a set of sinks ambiguous:
//
//   - a name chosen with Options.Name must be unique, since Health, logs,
//     metrics and Resume tell sinks apart by name;
//   - a sink without Options.Name must not write where an earlier sink
//     writes (see sinks.Destined): each would deliver every event there, and
//     the usual cause is two sinks left at their driver's default stream,
//     exchange or subject.
//
// Otherwise a sink is named after itself (Namer), else its position
// ("sink-<i>"); such a name that is already taken gets a "#2" (or "#3", ...)
// suffix, so that two Redis sinks on different servers with the same stream
// key become "redis:ai_events" and "redis:ai_events#2".
func sinkNames(ss []sinks.Sink) ([]string, []error) {
	names := make([]string, len(ss))
	taken := map[string]int{}
	var errs []error
	for i, s := range ss {
		if isNil(s) {
			continue
		}
		if name := hostOptions(s).Name; name != "" {
			if first, dup := taken[name]; dup {
				errs = append(errs, fmt.Errorf("%w: Sinks[%d]: Options.Name %q is Sinks[%d]'s name too; each sink needs a name of its own",
					ErrInvalidConfig, i, name, first))
			}
			names[i], taken[name] = name, i
		}
	}
	places := map[string]int{}
	for i, s := range ss {
		d, ok := s.(sinks.Destined)
		if isNil(s) || !ok {
			continue
		}
		place := d.Destination()
		if place == "" {
			continue // the sink does not say
		}
		if first, dup := places[place]; dup && names[i] == "" {
			errs = append(errs, fmt.Errorf("%w: Sinks[%d] writes to %s, as Sinks[%d] does, so each would deliver every event there; "+
				"give one its own destination (stream, exchange, subject, ...), or set Options.Name on Sinks[%d] if both are meant",
				ErrInvalidConfig, i, place, first, i))
		}
		if _, dup := places[place]; !dup {
			places[place] = i
		}
	}
	for _, positional := range []bool{false, true} {
		for i, s := range ss {
			if names[i] != "" || isNil(s) {
				continue
			}
			name := ""
			if n, ok := s.(sinks.Namer); ok {
				name = n.Name()
			}
			if (name == "") != positional {
				continue
			}
			if positional {
				name = fmt.Sprintf("sink-%d", i)
			}
			unique := name
			for k := 2; ; k++ {
				if _, dup := taken[unique]; !dup {
					break
				}
				unique = fmt.Sprintf("%s#%d", name, k)
			}
			names[i], taken[unique] = unique, i
		}
	}
	return names, errs
}
