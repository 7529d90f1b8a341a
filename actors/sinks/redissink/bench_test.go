package redissink_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// benchBatch is the batch size of the benchmarks: what the bus hands a busy
// sink.
const benchBatch = 500

// benchEvents returns n token events of about 400 bytes of JSON each.
func benchEvents(n int) []*events.Event {
	evs := make([]*events.Event, n)
	base := time.Date(2026, 11, 26, 16, 31, 42, 0, time.UTC)
	for i := range evs {
		evs[i] = &events.Event{
			EventID:     events.NewID(),
			ExecutionID: "k3Jd9aQ01LmZ",
			ParentID:    "Xa81LmQ0p2Rt",
			Timestamp:   base.Add(time.Duration(i) * time.Microsecond),
			ModuleName:  "ChatBot",
			MethodName:  "forward",
			EventType:   events.TypeToken,
			Operation:   "llm_call",
			Data: map[string]any{
				events.KeyToken:             "The answer is " + strings.Repeat("x", 100),
				events.KeyTokenIndex:        i,
				events.KeyField:             "answer",
				events.KeyGenAIRequestModel: "gpt-4o-mini",
			},
			Tags: map[string]string{"customer_id": "c-42", "service": "risk_engine", "region": "eu-west-1"},
		}
	}
	return evs
}

// benchRedis connects to the test server and returns a stream key that is
// deleted (with everything written to it) when b ends.
func benchRedis(b *testing.B) (*redis.Client, string, string) {
	b.Helper()
	url := servicetest.RedisURL(b)
	opts, err := redis.ParseURL(url)
	if err != nil {
		b.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	key := servicetest.Name(b, "redissink_bench")
	b.Cleanup(func() {
		rdb.Del(context.Background(), key)
		rdb.Close()
	})
	return rdb, url, key
}

// trimEvery bounds the benchmark streams: MAXLEN ~ keeps the server's memory
// flat however long the benchmark runs, and costs both sides the same.
const trimEvery = 10 * benchBatch

// writer writes one batch of benchBatch events per call.
type writer func(ctx context.Context) error

// runBatches runs the benchmark with one writer, then with writers on 4
// goroutines (each its own writer, as each sink has its own host), and
// reports events/s. newWriter returns a writer and a function releasing it.
func runBatches(b *testing.B, newWriter func(b *testing.B) (writer, func())) {
	ctx := context.Background()
	b.Run("goroutines=1", func(b *testing.B) {
		w, release := newWriter(b)
		defer release()
		b.ReportAllocs()
		for b.Loop() {
			if err := w(ctx); err != nil {
				b.Fatal(err)
			}
		}
		reportEventRate(b)
	})
	b.Run("goroutines=4", func(b *testing.B) {
		// RunParallel starts parallelism×GOMAXPROCS goroutines.
		procs := runtime.GOMAXPROCS(0)
		parallelism := (4 + procs - 1) / procs
		writers := make(chan writer, parallelism*procs)
		for range cap(writers) {
			w, release := newWriter(b)
			defer release()
			writers <- w
		}
		b.ReportAllocs()
		b.SetParallelism(parallelism)
		b.RunParallel(func(pb *testing.PB) {
			w := <-writers
			for pb.Next() {
				if err := w(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportEventRate(b)
	})
}

func reportEventRate(b *testing.B) {
	b.ReportMetric(float64(b.N*benchBatch)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkWrite measures the sink's Write: encoding, one XADD per event, one
// round trip per batch of 500.
func BenchmarkWrite(b *testing.B) {
	_, url, key := benchRedis(b)
	batch := benchEvents(benchBatch)
	runBatches(b, func(b *testing.B) (writer, func()) {
		s, err := redissink.New(redissink.Config{URL: url, StreamKey: key, MaxLen: trimEvery})
		if err != nil {
			b.Fatal(err)
		}
		return func(ctx context.Context) error { return s.Write(ctx, batch) },
			func() { s.Close(context.Background()) }
	})
}

// BenchmarkRawPipeline is the floor the sink is measured against: go-redis
// pipelined XADD (XAddArgs, MAXLEN ~) of the same events encoded beforehand,
// 500 per Exec.
func BenchmarkRawPipeline(b *testing.B) {
	rdb, _, key := benchRedis(b)
	batch := benchEvents(benchBatch)
	payloads := make([][]byte, len(batch))
	for i, ev := range batch {
		payloads[i] = events.AppendJSON(nil, ev)
	}
	runBatches(b, func(*testing.B) (writer, func()) {
		return func(ctx context.Context) error {
			pipe := rdb.Pipeline()
			for _, p := range payloads {
				pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, MaxLen: trimEvery, Approx: true, Values: []any{"event", p}})
			}
			_, err := pipe.Exec(ctx)
			return err
		}, func() {}
	})
}

// BenchmarkRawPipelineWithEncoding is BenchmarkRawPipeline encoding each
// event in the loop, as any driver must: the like-for-like baseline.
func BenchmarkRawPipelineWithEncoding(b *testing.B) {
	rdb, _, key := benchRedis(b)
	batch := benchEvents(benchBatch)
	runBatches(b, func(*testing.B) (writer, func()) {
		return func(ctx context.Context) error {
			pipe := rdb.Pipeline()
			for _, ev := range batch {
				pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, MaxLen: trimEvery, Approx: true, Values: []any{"event", events.AppendJSON(nil, ev)}})
			}
			_, err := pipe.Exec(ctx)
			return err
		}, func() {}
	})
}
