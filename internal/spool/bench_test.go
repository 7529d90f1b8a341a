package spool

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// eventPayload is about the size of a token event in the wire format.
var eventPayload = []byte(`{"event_id":"V1StGXR8Z5jd","execution_id":"k3Jd9aQ01LmZ","parent_id":"Xa81LmQ0p2Rt",` +
	`"timestamp":"2026-11-26T16:31:42.156123Z","module_name":"ChatBot","method_name":"forward",` +
	`"event_type":"token","operation":"llm_call","data":{"token":"The answer is","token_index":0,` +
	`"field":"answer"},"tags":{"customer_id":"c-42","service":"risk_engine"}}`)

// BenchmarkAppend measures appending event-sized records, one Append call
// per batch, under each policy, acknowledging as a host would so that
// segments are reclaimed. ns/op is per record.
func BenchmarkAppend(b *testing.B) {
	type policy struct {
		name   string
		sync   SyncPolicy
		period time.Duration
	}
	policies := []policy{
		{"never", SyncNever, 0},
		{"periodic=1s", SyncPeriodic, time.Second},
		{"periodic=500ms", SyncPeriodic, 500 * time.Millisecond},
		{"periodic=200ms", SyncPeriodic, 200 * time.Millisecond},
		{"periodic=100ms", SyncPeriodic, 100 * time.Millisecond},
		{"periodic=50ms", SyncPeriodic, 50 * time.Millisecond},
		{"periodic=10ms", SyncPeriodic, 10 * time.Millisecond},
		{"every_append", SyncEveryAppend, 0},
	}
	for _, batch := range []int{1, 64} {
		for _, p := range policies {
			b.Run(fmt.Sprintf("%s/batch=%d", p.name, batch), func(b *testing.B) {
				s, err := Open(b.TempDir(), Options{Sync: p.sync, SyncPeriod: p.period})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				payloads := make([][]byte, batch)
				for i := range payloads {
					payloads[i] = eventPayload
				}
				b.SetBytes(int64(len(eventPayload)))
				b.ReportAllocs()
				b.ResetTimer()
				acked := uint64(0)
				for n := 0; n < b.N; n += batch {
					first, k, err := s.Append(payloads[:min(batch, b.N-n)]...)
					if err != nil {
						b.Fatal(err)
					}
					if last := first + uint64(k) - 1; last-acked >= 4096 {
						s.AckRange(acked+1, last)
						acked = last
					}
				}
				b.StopTimer()
				st := s.Stats()
				b.ReportMetric(float64(st.Syncs), "fsyncs")
				b.ReportMetric(float64(st.SyncP99.Microseconds()), "fsync-p99-µs")
			})
		}
	}
}

// BenchmarkNext measures reading records back and acknowledging them.
func BenchmarkNext(b *testing.B) {
	s, err := Open(b.TempDir(), Options{Sync: SyncNever})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	payloads := make([][]byte, 1000)
	for i := range payloads {
		payloads[i] = eventPayload
	}
	b.SetBytes(int64(len(eventPayload)))
	b.ReportAllocs()
	recs := make([]Record, 0, 100)
	for n := 0; n < b.N; {
		b.StopTimer()
		if s.Stats().Records < 100 {
			s.Append(payloads...)
		}
		b.StartTimer()
		recs, err = s.Next(recs[:0], 100, 0)
		if err != nil || len(recs) == 0 {
			b.Fatal(err, len(recs))
		}
		s.AckRange(recs[0].Seq, recs[len(recs)-1].Seq)
		n += len(recs)
	}
}

// BenchmarkPaced appends at a host's pace, 10,000 event-sized records a
// second in batches of 10, for two seconds per policy (run it with
// -benchtime=1x), and reports Append's p99 latency, the CPU time the
// process used, and the fsyncs: what a period costs when the disk is not
// saturated.
func BenchmarkPaced(b *testing.B) {
	for _, p := range []struct {
		name   string
		sync   SyncPolicy
		period time.Duration
	}{
		{"never", SyncNever, 0},
		{"periodic=1s", SyncPeriodic, time.Second},
		{"periodic=500ms", SyncPeriodic, 500 * time.Millisecond},
		{"periodic=200ms", SyncPeriodic, 200 * time.Millisecond},
		{"periodic=100ms", SyncPeriodic, 100 * time.Millisecond},
		{"periodic=20ms", SyncPeriodic, 20 * time.Millisecond},
		{"every_append", SyncEveryAppend, 0},
	} {
		b.Run(p.name, func(b *testing.B) {
			s, err := Open(b.TempDir(), Options{Sync: p.sync, SyncPeriod: p.period})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			batch := make([][]byte, 10)
			for i := range batch {
				batch[i] = eventPayload
			}
			var lat []time.Duration
			cpu0 := cpuTime()
			start := time.Now()
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			for time.Since(start) < 2*time.Second {
				<-tick.C
				t0 := time.Now()
				first, k, err := s.Append(batch...)
				lat = append(lat, time.Since(t0))
				if err != nil {
					b.Fatal(err)
				}
				s.AckRange(first, first+uint64(k)-1)
			}
			cpu := cpuTime() - cpu0
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "append-p99-µs")
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "append-p50-µs")
			b.ReportMetric(float64(cpu.Milliseconds())/2, "cpu-ms/s")
			b.ReportMetric(float64(s.Stats().Syncs)/2, "fsyncs/s")
			b.ReportMetric(float64(len(lat)*10)/time.Since(start).Seconds(), "records/s")
		})
	}
}
