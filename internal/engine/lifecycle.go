package engine

import (
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
)

// lifecycle is where one sink stands: running, waiting out a restart,
// paused by its policy, stopped, draining for Close, or finished. It is one
// value, written only by the host actor's goroutine; state is published for
// Health and for the router, which reads it to refuse events for a stopped
// sink.
type lifecycle struct {
	state      atomic.Int32 // sinks.State
	crashed    bool         // the driver panicked; nothing is written until the supervisor decides
	rebuild    bool         // restarting: the driver is rebuilt before the next write
	rebuilding bool         // the writer is rebuilding it now
	until      time.Time    // restart backoff: nothing is written before
}

func (l *lifecycle) get() sinks.State { return sinks.State(l.state.Load()) }

func (l *lifecycle) set(s sinks.State) { l.state.Store(int32(s)) }

// over reports whether the sink will never write again.
func (l *lifecycle) over() bool {
	s := l.get()
	return s == sinks.Stopped || s == sinks.Finished
}
