package sinktest

import (
	"context"
	"sync"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// Destinations remembers where each sink a harness made writes, so that
// Received can read that destination back: a stream key, a queue, a
// receiver. Its zero value is ready; it is safe for concurrent use.
//
//	var dests sinktest.Destinations[string]
//	New: func(t *testing.T) sinks.Sink {
//		key := newStreamKey(t)
//		return dests.Add(newSink(t, key), key)
//	},
//	Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
//		return readStream(ctx, t, dests.Of(s), want)
//	},
type Destinations[D any] struct {
	mu sync.Mutex
	m  map[sinks.Sink]D
}

// Add records that s writes to d, and returns s.
func (ds *Destinations[D]) Add(s sinks.Sink, d D) sinks.Sink {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	if ds.m == nil {
		ds.m = make(map[sinks.Sink]D)
	}
	ds.m[s] = d
	return s
}

// Of returns where s writes: what Add recorded, or D's zero value.
func (ds *Destinations[D]) Of(s sinks.Sink) D {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return ds.m[s]
}

// Await returns read's events once it returns at least want of them, or
// when ctx ends (then what read returns last). It reads again each time
// changed is signalled, so a harness whose destination signals new arrivals
// writes Received in one line:
//
//	return sinktest.Await(ctx, want, receiver.Events, receiver.Changed())
func Await(ctx context.Context, want int, read func() []events.Event, changed <-chan struct{}) []events.Event {
	for {
		got := read()
		if len(got) >= want {
			return got
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return read()
		}
	}
}
