package otelsink_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// The throughput workload: producers goroutines each run calls RAG
// executions shaped as the quickstart's (forward, retrieval with
// docs_found, an LLM call streaming 15 tokens): 22 events and 3 spans each,
// as fast as they can.
const (
	benchProducers = 4
	benchCalls     = 250 // per producer and iteration
	eventsPerCall  = 22
	spansPerCall   = 3
)

// emitRAG emits one quickstart-shaped execution tree on b, without the
// simulated thinking.
func emitRAG(ctx context.Context, b *bus.Bus) {
	ctx, forward := b.Start(ctx, bus.Op{Module: "ChatBot", Method: "forward", Operation: "forward",
		Tags: map[string]string{"customer_id": "c-42"}})
	_, retrieval := b.Start(ctx, bus.Op{Operation: "retrieval", Data: map[string]any{"question": "What does streamll-go do?"}})
	retrieval.Emit("docs_found", map[string]any{"count": 1})
	retrieval.End(nil)
	_, llm := b.Start(ctx, bus.Op{Operation: "llm_call", Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm"}})
	for _, tok := range answerTokens {
		llm.Token(tok)
	}
	llm.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 15, events.KeyGenAIUsageOutputTokens: 13}, nil)
	forward.End(nil)
}

// BenchmarkThroughput runs the same workload through a bus into the memory
// sink and into the OTLP sink exporting to an in-test receiver (which
// decodes every request), and reports events/s from the first Emit until
// Close returned with everything delivered. The host's buffer holds a whole
// iteration, so nothing is dropped whatever the sink's pace; the benchmark
// fails if anything is.
//
//	go test -run '^$' -bench Throughput -benchtime 10x -count 5 ./actors/sinks/otelsink/
func BenchmarkThroughput(b *testing.B) {
	const perIteration = benchProducers * benchCalls * eventsPerCall
	// The host's buffer and the bus's intake both hold a whole iteration:
	// the producers never wait, and a drop (intake_full when they outrun the
	// router for a moment) would fail the run rather than measure it.
	opts := sinks.Options{BufferSize: perIteration}
	rcv := otlptest.New(b)
	sinkFor := map[string]func(b *testing.B) (sinks.Sink, func() int){
		"memory": func(b *testing.B) (sinks.Sink, func() int) {
			m, err := memory.New(memory.Config{Options: opts, Discard: true})
			if err != nil {
				b.Fatal(err)
			}
			return m, func() int { return m.Len() / eventsPerCall * spansPerCall }
		},
		"otlp": func(b *testing.B) (sinks.Sink, func() int) {
			s, err := otelsink.New(otelsink.Config{Endpoint: rcv.URL(), Options: opts})
			if err != nil {
				b.Fatal(err)
			}
			return s, func() int { return int(s.Stats().Spans) }
		},
	}
	for _, name := range []string{"memory", "otlp"} {
		b.Run("sink="+name, func(b *testing.B) {
			b.ReportAllocs()
			var elapsed time.Duration
			var spans int
			for b.Loop() {
				s, spanCount := sinkFor[name](b)
				bs, err := bus.New(bus.Config{Sinks: []sinks.Sink{s}, IntakeSize: perIteration})
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				var wg sync.WaitGroup
				for range benchProducers {
					wg.Go(func() {
						for range benchCalls {
							emitRAG(context.Background(), bs)
						}
					})
				}
				wg.Wait()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				err = bs.Close(ctx)
				cancel()
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				if h := bs.Health()[0]; h.Delivered != perIteration || h.DroppedTotal() != 0 {
					b.Fatalf("delivered %d of %d, dropped %v", h.Delivered, perIteration, h.Dropped)
				}
				spans += spanCount()
			}
			b.ReportMetric(float64(b.N*perIteration)/elapsed.Seconds(), "events/s")
			b.ReportMetric(float64(spans)/elapsed.Seconds(), "spans/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkWrite measures the sink alone: one Write of a batch of 256 whole
// executions' events, exported in one request to the in-test receiver.
//
//	go test -run '^$' -bench Write ./actors/sinks/otelsink/
func BenchmarkWrite(b *testing.B) {
	rcv := otlptest.New(b)
	s, err := otelsink.New(otelsink.Config{Endpoint: rcv.URL()})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close(context.Background()) })
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		batch := sinktest.MakeExecutions(256, "bench") // new ids each time
		b.StartTimer()
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "events/s")
}
