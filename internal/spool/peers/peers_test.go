package peers

import (
	"encoding/binary"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/streamll/streamll-go/internal/spool"
	"github.com/tidwall/wal"
	bolt "go.etcd.io/bbolt"
)

var eventPayload = []byte(`{"event_id":"V1StGXR8Z5jd","execution_id":"k3Jd9aQ01LmZ","parent_id":"Xa81LmQ0p2Rt",` +
	`"timestamp":"2026-11-26T16:31:42.156123Z","module_name":"ChatBot","method_name":"forward",` +
	`"event_type":"token","operation":"llm_call","data":{"token":"The answer is","token_index":0,` +
	`"field":"answer"},"tags":{"customer_id":"c-42","service":"risk_engine"}}`)

const period = 200 * time.Millisecond

type syncMode int

const (
	noSync syncMode = iota
	periodic
	perBatch
)

var modes = []struct {
	name string
	mode syncMode
}{{"nosync", noSync}, {"periodic=200ms", periodic}, {"every_batch", perBatch}}

// store is what each candidate does for the host: append a batch, forget
// records up to a sequence number (delivered), close.
type store interface {
	append(first uint64, batch [][]byte) error
	forget(upTo uint64) error
	close() error
}

// every runs f every period until the returned stop is called.
func every(f func()) (stop func()) {
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
				f()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit); <-done }) }
}

func key(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// --- ours

type ours struct{ s *spool.Spool }

func openOurs(dir string, m syncMode) (store, error) {
	p := map[syncMode]spool.SyncPolicy{noSync: spool.SyncNever, periodic: spool.SyncPeriodic, perBatch: spool.SyncEveryAppend}[m]
	s, err := spool.Open(dir, spool.Options{Sync: p, SyncPeriod: period})
	return &ours{s}, err
}
func (o *ours) append(_ uint64, b [][]byte) error { _, _, err := o.s.Append(b...); return err }
func (o *ours) forget(upTo uint64) error          { return o.s.AckRange(1, upTo) }
func (o *ours) close() error                      { return o.s.Close() }

// --- tidwall/wal

type tidwall struct {
	l    *wal.Log
	stop func()
	b    wal.Batch
}

func openTidwall(dir string, m syncMode) (store, error) {
	l, err := wal.Open(dir, &wal.Options{NoSync: m != perBatch, LogFormat: wal.Binary, NoCopy: true})
	if err != nil {
		return nil, err
	}
	t := &tidwall{l: l, stop: func() {}}
	if m == periodic {
		t.stop = every(func() { l.Sync() })
	}
	return t, nil
}
func (t *tidwall) append(first uint64, b [][]byte) error {
	t.b.Clear()
	for i, p := range b {
		t.b.Write(first+uint64(i), p)
	}
	return t.l.WriteBatch(&t.b)
}
func (t *tidwall) forget(upTo uint64) error { return t.l.TruncateFront(upTo) } // it keeps one entry at least
func (t *tidwall) close() error             { t.stop(); return t.l.Close() }

// --- bbolt

type bbolt struct {
	db   *bolt.DB
	stop func()
}

var bucket = []byte("spool")

func openBbolt(dir string, m syncMode) (store, error) {
	db, err := bolt.Open(dir+"/spool.db", 0o644, &bolt.Options{NoSync: m != perBatch, NoFreelistSync: true})
	if err != nil {
		return nil, err
	}
	db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucket); return err })
	b := &bbolt{db: db, stop: func() {}}
	if m == periodic {
		b.stop = every(func() { db.Sync() })
	}
	return b, nil
}
func (b *bbolt) append(first uint64, batch [][]byte) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucket)
		bk.FillPercent = 1 // appends in key order
		for i, p := range batch {
			if err := bk.Put(key(first+uint64(i)), p); err != nil {
				return err
			}
		}
		return nil
	})
}
func (b *bbolt) forget(upTo uint64) error {
	return b.db.Update(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, _ := c.First(); k != nil && binary.BigEndian.Uint64(k) <= upTo; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
}
func (b *bbolt) close() error { b.stop(); return b.db.Close() }

// --- pebble

type pebbleStore struct {
	db   *pebble.DB
	wo   *pebble.WriteOptions
	stop func()
}

func openPebble(dir string, m syncMode) (store, error) {
	db, err := pebble.Open(dir, &pebble.Options{Logger: quiet{}})
	if err != nil {
		return nil, err
	}
	p := &pebbleStore{db: db, wo: pebble.NoSync, stop: func() {}}
	if m == perBatch {
		p.wo = pebble.Sync
	}
	if m == periodic {
		p.stop = every(func() { db.LogData(nil, pebble.Sync) })
	}
	return p, nil
}
func (p *pebbleStore) append(first uint64, batch [][]byte) error {
	b := p.db.NewBatch()
	for i, v := range batch {
		b.Set(key(first+uint64(i)), v, nil)
	}
	return b.Commit(p.wo)
}
func (p *pebbleStore) forget(upTo uint64) error {
	return p.db.DeleteRange(key(0), key(upTo+1), pebble.NoSync)
}
func (p *pebbleStore) close() error { p.stop(); return p.db.Close() }

type quiet struct{}

func (quiet) Infof(string, ...any)  {}
func (quiet) Errorf(string, ...any) {}
func (quiet) Fatalf(f string, a ...any) {
	panic(fmt.Sprintf(f, a...))
}

// BenchmarkAppend: ns/op is per record; every 4096 records the oldest are
// forgotten, as a host acknowledges delivered events.
func BenchmarkAppend(b *testing.B) {
	candidates := []struct {
		name string
		open func(string, syncMode) (store, error)
	}{
		{"spool", openOurs}, {"tidwall-wal", openTidwall}, {"bbolt", openBbolt}, {"pebble", openPebble},
	}
	for _, batch := range []int{1, 64} {
		for _, m := range modes {
			for _, c := range candidates {
				b.Run(fmt.Sprintf("batch=%d/%s/%s", batch, m.name, c.name), func(b *testing.B) {
					st, err := c.open(b.TempDir(), m.mode)
					if err != nil {
						b.Fatal(err)
					}
					defer st.close()
					payloads := make([][]byte, batch)
					for i := range payloads {
						payloads[i] = eventPayload
					}
					b.SetBytes(int64(len(eventPayload)))
					b.ReportAllocs()
					b.ResetTimer()
					next, forgotten := uint64(1), uint64(0)
					for n := 0; n < b.N; n += batch {
						k := min(batch, b.N-n)
						if err := st.append(next, payloads[:k]); err != nil {
							b.Fatal(err)
						}
						next += uint64(k)
						if next-1-forgotten >= 4096 {
							if err := st.forget(next - 1); err != nil {
								b.Fatal(err)
							}
							forgotten = next - 1
						}
					}
				})
			}
		}
	}
}
