package main

import (
	"context"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
)

// BenchmarkEmitTiming measures what timing every Emit adds: the "timed" case
// is what the producers do (two monotonic clock readings and a histogram
// increment around each Emit), the "untimed" one the Emit alone, into a memory sink.
func BenchmarkEmitTiming(b *testing.B) {
	for _, timed := range []bool{false, true} {
		name := "untimed"
		if timed {
			name = "timed"
		}
		b.Run(name, func(b *testing.B) {
			m, err := memory.New(memory.Config{Discard: true, Options: sinks.Options{BufferSize: 1 << 20}})
			if err != nil {
				b.Fatal(err)
			}
			bs, err := bus.New(bus.Config{Sinks: []sinks.Sink{m}})
			if err != nil {
				b.Fatal(err)
			}
			ev := newWorkload(400).event("k3Jd9aQ01LmZ")
			var h histogram
			base := time.Now()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if timed {
					t0 := time.Since(base)
					bs.Emit(ev)
					h.record(time.Since(base) - t0)
				} else {
					bs.Emit(ev)
				}
			}
			b.StopTimer()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := bs.Close(ctx); err != nil {
				b.Fatal(err)
			}
		})
	}
}
