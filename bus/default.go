package bus

import (
	"context"
	"sync/atomic"

	"github.com/streamll/streamll-go/events"
)

// The optional process-wide bus; the only global of the package.
var defaultBus atomic.Pointer[Bus]

// SetDefault makes b the bus used by the package-level functions (Emit,
// Start, Instrument with a nil bus). SetDefault(nil) clears it. It does not
// close the previous default.
func SetDefault(b *Bus) { defaultBus.Store(b) }

// Default returns the default bus, or nil if none is set.
func Default() *Bus { return defaultBus.Load() }

// Configure is New followed by SetDefault: one line configures the process,
// as streamll.configure(sinks=[...]) does in Python.
func Configure(cfg Config) (*Bus, error) {
	b, err := New(cfg)
	if err != nil {
		return nil, err
	}
	SetDefault(b)
	return b, nil
}

// Emit emits ev on the default bus; without one it does nothing.
func Emit(ev events.Event) { Default().Emit(ev) }

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
