package bus_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// stalled is a sink whose backend never answers: every Write waits for its
// context.
type stalled struct{}

func (stalled) Write(ctx context.Context, _ []*events.Event) error {
	<-ctx.Done()
	return ctx.Err()
}
func (stalled) Close(context.Context) error { return nil }

// TestFloodKeepsMemoryBounded pins the promise that memory is bounded by
// configuration whatever producers do: emitting far beyond what the intake
// and the buffer hold, with the sink stalled, leaves the heap bounded, and
// every event is still counted exactly once.
func TestFloodKeepsMemoryBounded(t *testing.T) {
	const (
		producers = 4
		each      = 100_000 // 400K events, ~1 KiB each with their data: ~400 MiB if anything kept them
		buffer    = 1000
	)
	b, err := bus.New(bus.Config{IntakeSize: 1024, Sinks: []sinks.Sink{
		sinks.WithOptions(stalled{}, sinks.Options{Name: "stalled", BufferSize: buffer, WriteTimeout: time.Hour}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	payload := make([]byte, 1024)
	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			for i := range each {
				b.Emit(events.Event{EventType: "flood", Data: map[string]any{"payload": string(payload), "i": i}})
			}
		})
	}
	wg.Wait()
	// The router takes what the intake still holds; then nothing moves.
	deadline := time.Now().Add(30 * time.Second)
	for b.Health()[0].Received < producers*each && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	// The bound: the intake's slots (allocated before), plus at most twice
	// the buffer of ~1.2 KiB events. 16 MiB leaves room for the runtime.
	if grew > 16<<20 {
		t.Errorf("heap grew by %d MiB while a stalled sink was flooded; memory is not bounded", grew>>20)
	}
	h := b.Health()[0]
	if h.Received != producers*each || h.Delivered+h.DroppedTotal()+uint64(h.Buffered) != h.Received {
		t.Errorf("counts do not add up: %+v", h)
	}
	if h.Buffered > 2*buffer {
		t.Errorf("the sink holds %d events, more than twice its buffer of %d", h.Buffered, buffer)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err = b.Close(ctx)
	h = b.Health()[0]
	if err == nil || h.Delivered+h.DroppedTotal() != producers*each || h.Buffered != 0 {
		t.Errorf("after Close (%v): %+v", err, h)
	}
	t.Logf("heap grew by %d KiB; dropped %v", grew>>10, h.Dropped)
}
