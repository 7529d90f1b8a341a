package main

import (
	"strings"
	"sync"
	"time"

	"github.com/streamll/streamll-go/events"
)

// newEvent returns the event producers send, padded so that its encoding is
// about payload bytes. The bus fills in the id and timestamp itself.
func newEvent(payload int) events.Event {
	ev := events.Event{
		ExecutionID: events.NewID(), ModuleName: "BenchModule", MethodName: "forward",
		EventType: "bench", Operation: "throughput", Data: map[string]any{"payload": ""},
	}
	probe := stamp(ev)
	pad := max(payload-len(events.Marshal(&probe)), 0)
	ev.Data = map[string]any{"payload": strings.Repeat("x", pad)}
	return ev
}

// stamp gives ev an id and the current time, as Emit does.
func stamp(ev events.Event) events.Event {
	ev.EventID = events.NewID()
	ev.Timestamp = time.Now()
	return ev
}

// spread runs n calls of work over producers goroutines, each given its
// share, and returns the first error.
func spread(n, producers int, work func(count int) error) error {
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for i := range producers {
		count := n / producers
		if i < n%producers {
			count++
		}
		wg.Go(func() {
			if err := work(count); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
