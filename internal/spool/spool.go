package spool

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
)

// Spool is a write-ahead log of opaque records in one directory. See the
// package documentation for the format and the guarantees.
//
// One goroutine drives a Spool: Append, Next, Rewind, Ack, AckRange,
// DropOldest, Sync and Close must not be called concurrently with each
// other. Durable and Stats may be called from any goroutine. The spool's own
// background goroutine (periodic fsync and acknowledgement writes) stops in
// Close.
type Spool struct {
	dir  string
	opts Options
	fs   FS
	lock io.Closer

	// Owned by the driving goroutine.
	segs         []*segment
	nextSeq      uint64
	bytes        int64 // size of the segment files
	pending      uint64
	scratch      []byte
	rd           reader
	inflight     inflightQueue
	closed       bool
	retry        bool   // a Remove failed: reclaim again, at most once a SyncPeriod
	lastRetry    int64  // Unix nanos of that failure
	reclaimedGen uint64 // persistGen at the last reclaim

	// syncMu serialises what touches the disk for durability: fsyncs, the
	// acknowledgement file, and the swap of the active segment.
	syncMu  sync.Mutex
	ackFile *ackFile

	// mu guards what the driving goroutine shares with the syncer and with
	// Stats. The driver writes these fields under mu and reads them freely.
	mu         sync.Mutex
	activeFile File     // write handle of the last segment
	written    uint64   // every record up to it is in the page cache
	unsynced   bool     // records were written since the last fsync
	synced     uint64   // every record up to it was fsynced, poison aside
	poison     seqRange // an fsync failed while these were unsynced
	needRoll   bool     // the active segment must not be appended to again
	acks       ackSet
	acksDirty  bool
	persisted  ackSet // the acknowledgements last written to disk
	persistGen uint64
	st         statsState

	durable atomic.Uint64

	stop chan struct{}
	done chan struct{}
}

// segment is one segment file as the spool knows it.
type segment struct {
	first uint64 // from the name
	last  uint64 // last valid sequence number; first-1 when none
	size  int64  // end of the last valid record
	holes []span // corrupt bytes to skip, sorted
}

// span is the byte range [from, to) of a segment file.
type span struct{ from, to int64 }

func (g *segment) name() string  { return segName(g.first) }
func (g *segment) empty() bool   { return g.last < g.first }
func (g *segment) records() bool { return !g.empty() }

// inflight is a record Next yielded and that is not known acknowledged.
type inflight struct {
	seq   uint64
	nanos int64
}

const lockName = "LOCK"

// Open opens the spool in dir, creating dir if needed, and recovers what a
// previous Spool left there: it verifies every record's checksum, truncates
// a torn tail, skips corrupt records (counted in Stats and logged) and keeps
// what follows them. Records not known acknowledged are yielded again by
// Next, oldest first.
//
// Open fails with an error wrapping ErrLocked when another Spool, in this
// process or another, has dir open; with ErrIO when the file system fails;
// with ErrFormat when dir holds files of an incompatible format.
func Open(dir string, opts Options) (*Spool, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	fsys := opts.FS
	if err := fsys.MkdirAll(dir); err != nil {
		return nil, fmt.Errorf("%w: create %s: %w", ErrIO, dir, err)
	}
	lock, err := fsys.Lock(dir, lockName)
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: lock %s: %w", ErrIO, dir, err)
	}
	s := &Spool{
		dir:  dir,
		opts: opts,
		fs:   fsys,
		lock: lock,
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	if err := s.recover(); err != nil {
		s.release()
		return nil, err
	}
	go s.syncLoop()
	return s, nil
}

// Dir returns the spool's directory.
func (s *Spool) Dir() string { return s.dir }

// Durable returns the highest sequence number d such that every record up
// to d is durable as the policy defines it, or acknowledged: fsynced, under
// SyncPeriodic and SyncEveryAppend; written to the operating system, under
// SyncNever. It is safe to call from any goroutine.
func (s *Spool) Durable() uint64 { return s.durable.Load() }

// Sync makes every record appended so far durable, and writes the
// acknowledgements, before it returns: it fsyncs under SyncPeriodic and
// SyncEveryAppend, and only writes (no fsync) under SyncNever. Call it for a
// flush barrier; Durable then covers every record appended before it, unless
// Sync returned an error.
func (s *Spool) Sync() error {
	if s.closed {
		return ErrClosed
	}
	s.syncMu.Lock()
	err := s.syncLocked(s.opts.Sync != SyncNever, true)
	s.syncMu.Unlock()
	s.after()
	return err
}

// Close writes the acknowledgements, fsyncs what the policy asks for, stops
// the background goroutine, closes the files and releases the directory's
// lock. Later calls return nil. Close waits for an fsync in progress.
func (s *Spool) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.stop)
	<-s.done
	s.syncMu.Lock()
	err := s.syncLocked(s.opts.Sync != SyncNever, true)
	s.syncMu.Unlock()
	return errors.Join(err, s.release())
}

// release closes every file and the lock, without syncing anything.
func (s *Spool) release() error {
	var errs []error
	s.rd.close()
	if s.activeFile != nil {
		errs = append(errs, s.activeFile.Close())
		s.activeFile = nil
	}
	if s.ackFile != nil {
		errs = append(errs, s.ackFile.close())
	}
	if s.lock != nil {
		errs = append(errs, s.lock.Close())
		s.lock = nil
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: close: %w", ErrIO, err)
	}
	return nil
}

// updateDurable recomputes the durable watermark. Caller holds mu.
func (s *Spool) updateDurable() {
	d := s.synced
	if s.opts.Sync == SyncNever {
		d = s.written
	}
	if s.poison.hi != 0 {
		if s.acks.covers(s.poison.lo, s.poison.hi) {
			s.poison = seqRange{}
		} else {
			d = min(d, s.poison.lo-1)
		}
	}
	s.durable.Store(max(d, s.acks.floor))
}
