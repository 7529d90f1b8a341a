package bus

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// The optional process-wide bus; the only global of the package.
var defaultBus atomic.Pointer[Bus]

// SetDefault makes b the bus used by the package-level functions (Start, and
// Instrument with a nil bus, when the context carries no execution).
// SetDefault(nil) clears it. It does not close the previous default.
func SetDefault(b *Bus) { defaultBus.Store(b) }

// Default returns the default bus, or nil if none is set.
func Default() *Bus { return defaultBus.Load() }

// Configure is New followed by SetDefault: the explicit form of Use, for a
// service that sets its own Logger, intake or linger.
func Configure(cfg Config) (*Bus, error) {
	b, err := New(cfg)
	if err != nil {
		return nil, err
	}
	SetDefault(b)
	return b, nil
}

// Use starts a bus that delivers to the sinks given and makes it the default
// bus, logging through slog.Default() (breaker changes, restarts, the
// drivers' connection events): the one-line start, as
// streamll.configure(sinks=[...]) is in Python. Pair it with a deferred
// Shutdown:
//
//	b, err := bus.Use(terminal.To(os.Stdout))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer b.Shutdown()
//
// Use is Configure(Config{Sinks: s, Logger: slog.Default()}); call Configure
// for anything else. Its errors are New's.
func Use(s ...sinks.Sink) (*Bus, error) {
	return Configure(Config{Sinks: s, Logger: slog.Default()})
}

// ShutdownTimeout is how long Shutdown lets the sinks deliver what they hold.
const ShutdownTimeout = 5 * time.Second

// Shutdown closes b as a deferred call at the end of main wants it closed:
// it gives the sinks ShutdownTimeout to deliver what they hold, logs what was
// not delivered (to Config.Logger, else slog.Default()), and returns Close's
// error, nil when every event was delivered. If b is the default bus, the
// default is cleared, so that package-level calls made after it do nothing.
// Close(ctx) is the form with a deadline of your own and no logging.
func (b *Bus) Shutdown() error {
	if b == nil {
		return nil
	}
	defaultBus.CompareAndSwap(b, nil)
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	err := b.Close(ctx)
	if err != nil {
		logger := b.logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.Error("bus: events were not delivered", "error", err)
	}
	return err
}

// Start begins an execution on the bus of the execution ctx carries, else on
// the default bus. Without either it returns ctx and a nil *Execution, whose
// methods do nothing.
func Start(ctx context.Context, op Op) (context.Context, *Execution) {
	return busFor(ctx).Start(ctx, op)
}

func busFor(ctx context.Context) *Bus {
	if e := FromContext(ctx); e != nil {
		return e.bus
	}
	return Default()
}
