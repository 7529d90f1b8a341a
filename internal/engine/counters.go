package engine

import (
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// counters are one sink's figures, as Health reports them. The host writes
// most of them; the router and producers add the events they refuse on the
// host's behalf. Any goroutine may read them.
type counters struct {
	received    atomic.Uint64
	delivered   atomic.Uint64
	batches     atomic.Uint64
	failed      atomic.Uint64
	restarts    atomic.Uint64
	consecutive atomic.Int64
	dropped     []atomic.Uint64 // by sinks.DropReason
	held        atomic.Int64
	onDisk      atomic.Int64 // events waiting in the spool only, not in memory
	highWater   atomic.Int64
	circuit     atomic.Int32
	since       atomic.Int64 // when the circuit entered its state, in Unix ns
	lastErr     atomic.Pointer[errorRecord]
}

type errorRecord struct {
	text string
	at   time.Time
}

func newCounters() *counters {
	return &counters{dropped: make([]atomic.Uint64, len(sinks.DropReasons()))}
}

// refuse counts n events meant for the sink that never reached its host.
func (c *counters) refuse(reason sinks.DropReason, n int) {
	c.received.Add(uint64(n))
	c.drop(reason, n)
}

func (c *counters) drop(reason sinks.DropReason, n int) {
	if n > 0 {
		c.dropped[reason].Add(uint64(n))
	}
}

func (c *counters) setHeld(n int) {
	c.held.Store(int64(n))
	if int64(n) > c.highWater.Load() {
		c.highWater.Store(int64(n))
	}
}

func (c *counters) circuitChanged(to supervisor.Circuit, at time.Time) {
	c.circuit.Store(int32(to))
	c.since.Store(at.UnixNano())
}

// lastError records err, redacted, as the sink's most recent failure.
func (c *counters) lastError(err error, at time.Time) {
	c.lastErr.Store(&errorRecord{text: sinks.Redact(err.Error()), at: at})
}

func (c *counters) droppedTotal() uint64 {
	var n uint64
	for i := range c.dropped {
		n += c.dropped[i].Load()
	}
	return n
}
