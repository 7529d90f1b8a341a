package spool

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestPowerLoss drives a spool on simFS through random appends, syncs and
// acknowledgements, cuts the power at a random moment, and checks what
// recovery finds: under SyncPeriodic and SyncEveryAppend every record that
// Durable covered (and that was not acknowledged) is there; under every
// policy the records are valid and in order. It repeats that on the same
// file system, so that what one loss leaves is what the next life starts
// from.
func TestPowerLoss(t *testing.T) {
	for _, policy := range []SyncPolicy{SyncPeriodic, SyncEveryAppend, SyncNever} {
		t.Run(policy.String(), func(t *testing.T) {
			seed := *crashSeed
			if seed == 0 {
				seed = uint64(time.Now().UnixNano())
			}
			t.Logf("seed %d", seed)
			rng := rand.New(rand.NewPCG(seed, uint64(policy)))
			sim := newSimFS()
			opts := Options{FS: sim, Sync: policy, SegmentBytes: 8 << 10, SyncPeriod: time.Millisecond}

			mustHave := map[ri]bool{} // durable, never acknowledged
			lost := 0
			for life := 0; life < 60; life++ {
				s, err := Open("sim", opts)
				if err != nil {
					t.Fatalf("life %d: Open: %v", life, err)
				}
				// Check what the last loss left.
				var all []Record
				for {
					n := len(all)
					if all, err = s.Next(all, 500, 0); err != nil {
						t.Fatal(err)
					}
					if len(all) == n {
						break
					}
				}
				present := map[ri]bool{}
				last := ri{-1, -1}
				for _, rec := range all {
					r, i, ok := parseCrashPayload(rec.Payload)
					k := ri{r, i}
					if !ok || r < last.r || r == last.r && i <= last.i {
						t.Fatalf("life %d: record %d (%q) bad or out of order after %v", life, rec.Seq, rec.Payload, last)
					}
					last, present[k] = k, true
				}
				if policy != SyncNever {
					for k := range mustHave {
						if !present[k] {
							t.Fatalf("life %d: durable record %v lost (stats %+v)", life, k, s.Stats())
						}
					}
				}
				lost += int(s.Stats().CorruptRecords)
				// Acknowledge some of them; they need not be there again.
				for _, rec := range all {
					if rng.IntN(4) == 0 {
						r, i, _ := parseCrashPayload(rec.Payload)
						s.Ack(rec.Seq)
						delete(mustHave, ri{r, i})
					}
				}

				// A life of random work.
				bySeq := map[uint64]ri{}
				var unacked []uint64
				i := 0
				for op := rng.IntN(60); op > 0; op-- {
					switch rng.IntN(6) {
					case 0, 1, 2:
						batch := make([][]byte, 1+rng.IntN(20))
						for j := range batch {
							batch[j] = crashPayload(life, i+j)
						}
						first, n, err := s.Append(batch...)
						if err != nil {
							t.Fatalf("Append: %v", err)
						}
						for j := 0; j < n; j++ {
							bySeq[first+uint64(j)] = ri{life, i + j}
							unacked = append(unacked, first+uint64(j))
						}
						i += n
					case 3:
						if err := s.Sync(); err != nil {
							t.Fatalf("Sync: %v", err)
						}
					case 4:
						for j := 0; j < len(unacked); j++ {
							if rng.IntN(3) == 0 {
								s.Ack(unacked[j])
								delete(bySeq, unacked[j])
								unacked = append(unacked[:j], unacked[j+1:]...)
							}
						}
					case 5:
						time.Sleep(time.Duration(rng.IntN(3)) * time.Millisecond) // let the syncer run, or not
					}
				}
				s.crash()
				d := s.Durable()
				for q, k := range bySeq {
					if q <= d {
						mustHave[k] = true
					}
				}
				sim.powerLoss(rng)
			}
			t.Logf("%d unsynced records lost to the power cuts (allowed)", lost)
		})
	}
}
