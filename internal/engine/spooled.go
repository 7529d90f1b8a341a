package engine

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/spool"
)

// spooled is what a delivery state machine keeps about its sink's spool, a
// write-ahead log of every event the sink accepted and has not delivered.
//
// Events are appended in the batches the host takes in. While the memory
// buffer has room they are also held in memory, with their spool sequence
// numbers, so the common case never reads the disk. Once it is full the
// machine turns to disk mode: new events stay on disk only, and the buffer
// is refilled from the spool, in order, as the sink catches up; when the
// spool has nothing more to give, memory mode resumes. A delivered event is
// acknowledged in the spool, which then reclaims its space; an event dropped
// for good (a permanent error, retries exhausted) is acknowledged too.
// Nothing the spool accepted is ever dropped to make room: when it is full,
// new events are refused.
//
// When the disk fails, events are held in memory only (counted in Health)
// until it works again: in memory mode they join the buffer; in disk mode
// they wait in limbo, behind the backlog on disk, and new events join them
// there until the backlog has been read, so that order holds.
type spooled struct {
	log      wal
	dir      string
	disk     bool   // events are waiting on disk only; refill from the spool
	memTail  uint64 // the highest sequence number held in memory (or delivered) so far
	lastSeq  uint64 // the highest sequence number appended
	limbo    []held // memory-only events behind the disk backlog
	limit    int    // limbo's bound: the memory buffer's size
	corrupt  uint64 // corrupt records seen in the spool's stats, already counted
	onDisk   *atomic.Int64
	degraded atomic.Bool // events are held in memory only because the disk failed
	buf      []byte
	ends     []int
	payloads [][]byte
	recs     []spool.Record
	seqs     []uint64
	logger   *slog.Logger
	closed   bool // the host closed the spool (closeSpool)
}

// wal is what the state machine needs of a spool (*spool.Spool).
type wal interface {
	Append(payloads ...[]byte) (first uint64, n int, err error)
	Next(dst []spool.Record, maxRecords, maxBytes int) ([]spool.Record, error)
	Ack(seqs ...uint64) error
	AckRange(first, last uint64) error
	Sync() error
	Durable() uint64
	Stats() spool.Stats
	Close() error
}

// openSpool opens the spool a sink's options ask for.
func openSpool(name string, o sinks.Spool, logger *slog.Logger) (*spool.Spool, error) {
	policy := map[sinks.SpoolSync]spool.SyncPolicy{
		sinks.SpoolSyncPeriodic: spool.SyncPeriodic, sinks.SpoolSyncEveryBatch: spool.SyncEveryAppend, sinks.SpoolSyncNever: spool.SyncNever,
	}[o.Sync]
	s, err := spool.Open(filepath.Clean(o.Dir), spool.Options{MaxBytes: o.MaxBytes, Sync: policy, SyncPeriod: o.SyncPeriod, Logger: logger})
	switch {
	case errors.Is(err, spool.ErrLocked):
		return nil, fmt.Errorf("sink %s: %w: %w", name, sinks.ErrSpoolLocked, err)
	case errors.Is(err, spool.ErrInvalidOptions):
		return nil, fmt.Errorf("sink %s: %w: %w", name, sinks.ErrInvalidConfig, err)
	case err != nil:
		return nil, fmt.Errorf("sink %s: opening its spool: %w", name, err)
	}
	return s, nil
}

// attachSpool makes d spool-backed. What the spool holds from an earlier
// bus is counted as received now, and delivered first.
func (d *delivery) attachSpool(log wal, dir string) {
	st := log.Stats()
	d.sp = &spooled{log: log, dir: dir, limit: d.opts.BufferSize, onDisk: &d.count.onDisk, logger: d.logger,
		memTail: st.Acked, lastSeq: st.NextSeq - 1, corrupt: st.CorruptRecords}
	if st.Records > 0 {
		d.sp.disk = true
		d.sp.onDisk.Store(int64(st.Records))
		d.count.received.Add(st.Records)
		d.logger.Info("spool holds events from an earlier run; delivering them first", "events", st.Records, "dir", dir)
	}
	if st.CorruptRecords > 0 {
		d.count.received.Add(st.CorruptRecords)
		d.count.drop(sinks.DropSpoolCorrupt, int(st.CorruptRecords))
		d.logger.Error("spool records found corrupt and skipped", "events", st.CorruptRecords, "dir", dir)
	}
}

// acceptSpooled takes a batch of events in through the spool.
func (d *delivery) acceptSpooled(evs []*events.Event) {
	sp := d.sp
	for len(evs) > 0 {
		arr := d.arrived
		if len(sp.limbo) > 0 {
			// The disk failed behind a backlog: keep order by waiting behind it.
			for _, ev := range evs {
				d.toLimbo(ev)
			}
			return
		}
		first, n, err := sp.log.Append(sp.encode(evs)...)
		for i := range n {
			d.arrived++
			d.spooledIn(evs[i], arr+uint64(i), first+uint64(i))
		}
		evs = evs[n:]
		if n > 0 && !sp.disk {
			sp.degraded.Store(false) // the disk works again
		}
		switch {
		case err == nil:
			return
		case n > 0 && len(evs) == 0:
			// Written, but the fsync failed: spooled, not yet durable.
			d.logger.Warn("spool fsync failed", "error", sinks.Redact(err.Error()))
			return
		case errors.Is(err, spool.ErrFull):
			d.arrived += uint64(len(evs))
			d.count.drop(sinks.DropSpoolFull, len(evs))
			return
		case errors.Is(err, spool.ErrTooLarge):
			d.arrived++
			d.count.drop(sinks.DropPermanent, 1)
			d.logger.Error("event too large for the spool; dropped", "error", err.Error())
			evs = evs[1:]
		default:
			// The disk failed: hold the rest in memory only, and try the
			// disk again with the next batch.
			d.logger.Warn("spool write failed; holding events in memory only", "events", len(evs), "error", sinks.Redact(err.Error()))
			sp.degraded.Store(true)
			for _, ev := range evs {
				if sp.disk {
					d.toLimbo(ev)
				} else {
					d.accept(ev)
				}
			}
			return
		}
	}
}

// spooledIn holds an appended event in memory when there is room and no
// backlog waits on disk; otherwise it stays on disk only.
func (d *delivery) spooledIn(ev *events.Event, arr, seq uint64) {
	sp := d.sp
	sp.lastSeq = seq
	if !sp.disk && d.held() < d.opts.BufferSize {
		d.queue.push(held{ev: ev, arr: arr, seq: seq})
		sp.memTail = seq
		return
	}
	sp.disk = true
	sp.onDisk.Add(1)
}

func (d *delivery) toLimbo(ev *events.Event) {
	arr := d.arrived
	d.arrived++
	if len(d.sp.limbo) >= d.sp.limit {
		d.count.drop(sinks.DropOverflow, 1)
		return
	}
	d.sp.limbo = append(d.sp.limbo, held{ev: ev, arr: arr})
}

// encode returns the wire encoding of each event, in one buffer.
func (sp *spooled) encode(evs []*events.Event) [][]byte {
	sp.buf, sp.ends = sp.buf[:0], sp.ends[:0]
	for _, ev := range evs {
		sp.buf = events.AppendJSON(sp.buf, ev)
		sp.ends = append(sp.ends, len(sp.buf))
	}
	sp.payloads = sp.payloads[:0]
	start := 0
	for _, end := range sp.ends {
		sp.payloads = append(sp.payloads, sp.buf[start:end:end])
		start = end
	}
	return sp.payloads
}

// refill reads the disk backlog into the memory buffer, as far as it has
// room, and then the events that waited in limbo.
func (d *delivery) refill() {
	sp := d.sp
	for sp.disk {
		// Limbo has a bound of its own: it must not keep the backlog it
		// waits behind from being read.
		room := d.opts.BufferSize - d.queue.len() - len(d.hand)
		if room <= 0 {
			return
		}
		var err error
		sp.recs, err = sp.log.Next(sp.recs[:0], room, 0)
		if err != nil {
			d.logger.Warn("reading the spool failed; retrying", "error", sinks.Redact(err.Error()))
			return
		}
		for _, rec := range sp.recs {
			if rec.Seq <= sp.memTail {
				continue // held in memory since, or delivered
			}
			sp.memTail = rec.Seq
			sp.onDisk.Add(-1)
			ev, err := events.Unmarshal(rec.Payload)
			if err != nil {
				d.count.drop(sinks.DropSpoolCorrupt, 1)
				_ = sp.log.Ack(rec.Seq)
				continue
			}
			d.queue.push(held{ev: &ev, seq: rec.Seq})
		}
		if len(sp.recs) == room {
			continue // there may be more
		}
		// The backlog is read: count what the spool found corrupt on the
		// way, then let limbo in and return to memory mode.
		if st := sp.log.Stats(); st.CorruptRecords > sp.corrupt {
			n := st.CorruptRecords - sp.corrupt
			sp.corrupt = st.CorruptRecords
			sp.onDisk.Add(-int64(n))
			d.count.drop(sinks.DropSpoolCorrupt, int(n))
		}
		for len(sp.limbo) > 0 && d.queue.len()+len(d.hand) < d.opts.BufferSize {
			d.queue.push(sp.limbo[0])
			sp.limbo[0] = held{}
			sp.limbo = sp.limbo[1:]
		}
		if len(sp.limbo) > 0 {
			return
		}
		sp.limbo = nil
		sp.disk = false
		sp.degraded.Store(false)
		if n := sp.onDisk.Load(); n != 0 {
			sp.onDisk.Store(0) // the spool's own count wins: nothing more waits on disk
		}
	}
}

// ack tells the spool that the events of hs were delivered, or dropped for
// good.
func (sp *spooled) ack(hs []held) {
	sp.seqs = sp.seqs[:0]
	contiguous := true
	for _, h := range hs {
		if h.seq == 0 {
			continue
		}
		if n := len(sp.seqs); n > 0 && h.seq != sp.seqs[n-1]+1 {
			contiguous = false
		}
		sp.seqs = append(sp.seqs, h.seq)
	}
	if len(sp.seqs) == 0 {
		return
	}
	var err error
	if contiguous {
		err = sp.log.AckRange(sp.seqs[0], sp.seqs[len(sp.seqs)-1])
	} else {
		err = sp.log.Ack(sp.seqs...)
	}
	if err != nil && !errors.Is(err, spool.ErrUnknownSeq) {
		sp.logger.Warn("acknowledging delivered events in the spool failed; they may be sent again after a restart", "error", sinks.Redact(err.Error()))
	}
}

// keep counts the spooled events of hs as waiting on disk again: a stopped
// or closing sink leaves them to the next bus instead of dropping them. It
// returns how many of hs were not spooled.
func (sp *spooled) keep(hs []held) (unspooled []held) {
	for _, h := range hs {
		if h.seq > 0 {
			sp.onDisk.Add(1)
		} else {
			unspooled = append(unspooled, h)
		}
	}
	return unspooled
}

// health describes the spool for Health.
func (sp *spooled) health() *sinks.SpoolHealth {
	st := sp.log.Stats()
	h := &sinks.SpoolHealth{Dir: sp.dir, Bytes: st.Bytes, Events: st.Records, OldestAge: st.OldestAge.Truncate(time.Millisecond),
		FsyncLast: st.LastSync, FsyncP99: st.SyncP99, Fsyncs: st.Syncs, CorruptSkipped: st.CorruptRecords,
		Failing: st.Failing || sp.degraded.Load(), DiskErrors: st.DiskErrors}
	if st.LastError != nil {
		h.LastError = sinks.Redact(st.LastError.Error())
	}
	return h
}
