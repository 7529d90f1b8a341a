package bus

import (
	"context"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// counter is a sink that only counts, so benchmarks measure the bus.
type counter struct{ n atomic.Int64 }

func (c *counter) Write(_ context.Context, batch []*events.Event) error {
	c.n.Add(int64(len(batch)))
	return nil
}
func (c *counter) Close(context.Context) error { return nil }

func benchBus(b *testing.B, nsinks int) (*Bus, []*counter) {
	cs := make([]*counter, nsinks)
	ss := make([]sinks.Sink, nsinks)
	for i := range cs {
		cs[i] = &counter{}
		ss[i] = sinks.WithOptions(cs[i], sinks.Options{BufferSize: 1 << 20, BatchSize: 1024})
	}
	bus, err := New(Config{Sinks: ss})
	if err != nil {
		b.Fatal(err)
	}
	return bus, cs
}

func closeBench(b *testing.B, bus *Bus, cs []*counter, want int64) {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := bus.Close(ctx); err != nil {
		b.Fatal(err)
	}
	for i, h := range bus.Health() {
		got := cs[i].n.Load()
		if uint64(got) != h.Delivered || h.Delivered+h.DroppedTotal() != uint64(want) {
			b.Fatalf("emitted %d, sink got %d, health %+v", want, got, h)
		}
		b.ReportMetric(float64(h.DroppedTotal())/float64(want), "dropped/op")
	}
}

var benchEvent = events.Event{ExecutionID: "k3Jd9aQ01LmZ", EventType: events.TypeToken, Operation: "llm_call"}

// burst is how many events the Emit benchmarks emit between two barriers:
// well within the intake, so that they measure what Emit costs the caller
// when the bus keeps up, not the drop path of a flooded bus (bench -flood
// measures that).
const burst = 1024

func flush(b *testing.B, bus *Bus) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := bus.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkEmit measures the producer's side of Emit: copying the event into
// the intake, its ID and the wake-up protocol. Between bursts the timer
// stops while the bus delivers.
func BenchmarkEmit(b *testing.B) {
	for _, n := range []int{0, 1, 4} {
		b.Run(map[int]string{0: "0sinks", 1: "1sink", 4: "4sinks"}[n], func(b *testing.B) {
			bus, cs := benchBus(b, n)
			b.ReportAllocs()
			cpu := cpuTime()
			b.ResetTimer()
			for i := range b.N {
				bus.Emit(benchEvent)
				if i%burst == burst-1 {
					b.StopTimer()
					flush(b, bus)
					b.StartTimer()
				}
			}
			b.StopTimer()
			closeBench(b, bus, cs, int64(b.N))
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkChannelSend is the reference for BenchmarkEmit: a send on a
// buffered channel a goroutine drains, in the same bursts.
func BenchmarkChannelSend(b *testing.B) {
	ch := make(chan *events.Event, 1<<16)
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		for range ch {
			got.Add(1)
		}
		close(done)
	}()
	ev := &benchEvent
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		ch <- ev
		if i%burst == burst-1 {
			b.StopTimer()
			for got.Load() < int64(i+1) {
				runtime.Gosched()
			}
			b.StartTimer()
		}
	}
	close(ch)
	<-done
}

// BenchmarkEmitFlushed is one producer that emits bursts and waits for each
// to be delivered, the barrier timed: the reference for
// BenchmarkEmitParallel, which does the same on every processor.
func BenchmarkEmitFlushed(b *testing.B) {
	bus, cs := benchBus(b, 1)
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		bus.Emit(benchEvent)
		if i%burst == burst-1 {
			flush(b, bus)
		}
	}
	b.StopTimer()
	closeBench(b, bus, cs, int64(b.N))
	reportCPU(b, cpu)
}

func BenchmarkEmitParallel(b *testing.B) {
	bus, cs := benchBus(b, 1)
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			bus.Emit(benchEvent)
			if i%burst == burst-1 {
				flush(b, bus)
			}
		}
	})
	b.StopTimer()
	closeBench(b, bus, cs, int64(b.N))
	reportCPU(b, cpu)
}

// BenchmarkThroughput measures events per second from Emit until the sink
// has them: bursts of half the intake, each delivered before the next.
func BenchmarkThroughput(b *testing.B) {
	bus, cs := benchBus(b, 1)
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		bus.Emit(benchEvent)
		if i%(DefaultIntakeSize/2) == DefaultIntakeSize/2-1 {
			flush(b, bus)
		}
	}
	closeBench(b, bus, cs, int64(b.N))
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	reportCPU(b, cpu)
}

// down is a sink whose backend never answers: its events stay buffered.
type down struct{}

func (down) Write(ctx context.Context, _ []*events.Event) error {
	<-ctx.Done()
	return ctx.Err()
}
func (down) Close(context.Context) error { return nil }

// BenchmarkBufferedMemory reports the heap each event costs while a dead
// backend holds it in a sink's buffer: the figure behind "how long can a dead
// Redis hold my events, and at what memory cost?" (docs/supervision.md).
// The events are typical token events: three data keys, a 300-byte text of
// their own, and two tags shared with their execution.
func BenchmarkBufferedMemory(b *testing.B) {
	const n = 100_000
	text := strings.Repeat("x", 300)
	tags := map[string]string{"customer_id": "c-42", "service": "risk_engine"}
	for range b.N {
		bus, err := New(Config{Sinks: []sinks.Sink{sinks.WithOptions(down{}, sinks.Options{BufferSize: n + 1000, WriteTimeout: time.Hour})}})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range n {
			bus.Emit(events.Event{ExecutionID: "k3Jd9aQ01LmZ", EventType: events.TypeToken, Operation: "llm_call",
				Data: map[string]any{events.KeyToken: strings.Clone(text), events.KeyTokenIndex: i, events.KeyField: "answer"}, Tags: tags})
		}
		for bus.Health()[0].Received < n {
			runtime.Gosched()
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "bytes/event")
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		bus.Close(ctx)
		cancel()
	}
}

// BenchmarkToken measures streaming one token on a live execution: the
// token event's data map, its boxed values and the Emit. Like the Emit
// benchmarks it waits, timer stopped, for each burst to be delivered: its
// producer never waits otherwise, and a GC cycle that holds the router back
// would let it fill the intake and measure the intake_full policy (bench's
// -flood scenario measures that) instead of a token's cost.
func BenchmarkToken(b *testing.B) {
	bus, cs := benchBus(b, 1)
	_, ex := bus.Start(context.Background(), Op{Operation: "llm_call", Module: "ChatBot"})
	b.ReportAllocs()
	cpu := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		ex.Token("token")
		if i%burst == burst-1 {
			b.StopTimer()
			flush(b, bus)
			b.StartTimer()
		}
	}
	b.StopTimer()
	ex.End(nil)
	closeBench(b, bus, cs, int64(b.N)+2)
	reportCPU(b, cpu)
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time the whole process spent per operation since
// start, on every goroutine: producers, router, hosts and the GC. On a shared
// machine it moves far less than wall time, which other processes inflate.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}
