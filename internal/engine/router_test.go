package engine

import (
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// stalledHost is a host whose actor never runs: nothing leaves its inbox.
func stalledHost(opts sinks.Options) *host {
	return &host{
		count:    newCounters(),
		inbox:    make(chan []*events.Event, inboxChunks(opts)),
		inboxMax: uint64(inboxEvents(opts)),
		free:     make(chan []*events.Event, 8),
	}
}

// TestInboxBoundCountsEvents: at a moderate rate the router hands over a
// short chunk each turn. A host that gets no CPU for a while must be able to
// take a buffer's worth of events in short chunks (an early bound in chunks
// dropped a 4-producer closed-loop run's events as overflow with a few
// hundred in flight), and no more than that.
func TestInboxBoundCountsEvents(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  sinks.Options
		chunk int
	}{
		{"one event a turn", sinks.Options{BufferSize: 10_000}, 1},
		{"three events a turn", sinks.Options{BufferSize: 10_000}, 3},
		{"full chunks", sinks.Options{BufferSize: 10_000}, chunkSize},
		{"small buffer", sinks.Options{BufferSize: 100}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := stalledHost(tc.opts)
			r := &router{hosts: []*host{h}, pending: make([][]*events.Event, 1), touched: make([]bool, 1)}
			limit := inboxEvents(tc.opts)
			ev := &events.Event{}
			sent := 0
			for sent+tc.chunk <= limit {
				r.pending[0] = make([]*events.Event, tc.chunk)
				for i := range r.pending[0] {
					r.pending[0][i] = ev
				}
				r.hand(0)
				sent += tc.chunk
			}
			if got := h.count.droppedTotal(); got != 0 {
				t.Fatalf("%d events in chunks of %d (bound %d): %d dropped as overflow, want 0", sent, tc.chunk, limit, got)
			}
			if got := h.routed.Load(); got != uint64(sent) {
				t.Fatalf("routed %d, want %d", got, sent)
			}
			// One chunk more than the bound is refused and counted.
			r.pending[0] = make([]*events.Event, tc.chunk)
			for i := range r.pending[0] {
				r.pending[0][i] = ev
			}
			r.hand(0)
			if got := h.count.dropped[sinks.DropOverflow].Load(); got != uint64(tc.chunk) {
				t.Fatalf("past the bound: overflow %d, want %d", got, tc.chunk)
			}
			if got, want := h.count.received.Load(), uint64(sent+tc.chunk); got != want {
				t.Fatalf("received %d, want %d", got, want)
			}
		})
	}
}
