package spool

import "fmt"

// Ack acknowledges records by sequence number: the spool may forget them.
// Acknowledge a record once it was delivered, or dropped for good (a
// permanent error), in any order: a partly delivered batch acknowledges
// what went out and leaves the rest to be retried. Acknowledging a record
// twice is harmless; a number the spool never assigned is an error wrapping
// ErrUnknownSeq (the valid ones are still acknowledged).
//
// Acknowledgements reach the disk every SyncPeriod, in Sync and in Close.
// After a crash, the records acknowledged since the last write come again
// (duplicates, never loss). Space comes back a segment at a time, once
// every record of a segment is acknowledged.
func (s *Spool) Ack(seqs ...uint64) error {
	if s.closed {
		return ErrClosed
	}
	bad, anyBad := uint64(0), false
	s.mu.Lock()
	for _, q := range seqs {
		if q == 0 || q >= s.nextSeq {
			bad, anyBad = q, true
			continue
		}
		if n := s.acks.add(q, q); n > 0 {
			s.pending -= n
			s.acksDirty = true
		}
	}
	s.updateDurable()
	s.mu.Unlock()
	s.after()
	if anyBad {
		return fmt.Errorf("%w: %d (next is %d)", ErrUnknownSeq, bad, s.nextSeq)
	}
	return nil
}

// AckRange acknowledges the records first..last, as Ack does each of them.
func (s *Spool) AckRange(first, last uint64) error {
	if s.closed {
		return ErrClosed
	}
	if last < first {
		return nil
	}
	if first == 0 || last >= s.nextSeq {
		return fmt.Errorf("%w: %d..%d (next is %d)", ErrUnknownSeq, first, last, s.nextSeq)
	}
	s.mu.Lock()
	if n := s.acks.add(first, last); n > 0 {
		s.pending -= n
		s.acksDirty = true
	}
	s.updateDurable()
	s.mu.Unlock()
	s.after()
	return nil
}

// Dropped describes records DropOldest discarded.
type Dropped struct {
	// First and Last bound the sequence numbers of the discarded segment.
	First, Last uint64
	// Records counts the discarded records that were not acknowledged: the
	// ones to count as dropped.
	Records uint64
}

// DropOldest discards the oldest segment, acknowledged or not, to make
// room: the spool's side of a drop-oldest overflow policy. It starts a new
// segment first if the oldest is the active one. Records of the range that
// Next already returned may still be delivered; acknowledging them is
// harmless. It returns a zero Dropped when the spool holds no record.
func (s *Spool) DropOldest() (Dropped, error) {
	if s.closed {
		return Dropped{}, ErrClosed
	}
	if len(s.segs) == 1 {
		if s.segs[0].empty() {
			return Dropped{}, nil
		}
		if err := s.roll(); err != nil {
			return Dropped{}, err
		}
	}
	g := s.segs[0]
	d := Dropped{First: g.first, Last: g.last}
	if g.records() {
		s.mu.Lock()
		d.Records = s.acks.add(g.first, g.last)
		s.pending -= d.Records
		s.acksDirty = s.acksDirty || d.Records > 0
		s.updateDurable()
		s.mu.Unlock()
	}
	err := s.remove(0)
	s.after()
	return d, err
}

// makeRoom reclaims what it can for an Append that hit MaxBytes: it writes
// the acknowledgements, removes the segments they cover and, if the active
// segment is all acknowledged, seals it to remove it too. It reports whether
// any space came back.
func (s *Spool) makeRoom() bool {
	before := s.bytes
	s.reclaim(true)
	if n := len(s.segs); s.bytes == before && n > 0 {
		if g := s.segs[n-1]; g.records() && s.acks.covers(g.first, g.last) && s.roll() == nil {
			s.reclaim(true)
		}
	}
	return s.bytes < before
}

// reclaim removes the sealed segments whose records are all acknowledged:
// the oldest ones by the acknowledgements in memory (recovery treats the
// records before the first segment as acknowledged), the others by those on
// disk (so that recovery does not count their records as lost). With force,
// it writes the acknowledgements first.
func (s *Spool) reclaim(force bool) {
	if force {
		s.syncMu.Lock()
		s.persistAcksLocked()
		s.syncMu.Unlock()
	}
	for len(s.segs) > 1 && s.acks.covers(s.segs[0].first, s.segs[0].last) {
		if s.remove(0) != nil {
			return
		}
	}
	s.mu.Lock()
	persisted := s.persisted
	s.mu.Unlock()
	for i := 1; i < len(s.segs)-1; {
		g := s.segs[i]
		if !persisted.covers(g.first, g.last) {
			i++
			continue
		}
		if s.remove(i) != nil {
			return
		}
	}
}

// remove deletes segment i, which is not the active one.
func (s *Spool) remove(i int) error {
	g := s.segs[i]
	if err := s.fs.Remove(s.dir, g.name()); err != nil {
		err = fmt.Errorf("%w: remove %s: %w", ErrIO, g.name(), err)
		s.mu.Lock()
		s.diskErrorLocked(err)
		s.mu.Unlock()
		s.retry, s.lastRetry = true, s.opts.Now().UnixNano()
		return err
	}
	s.segs = append(s.segs[:i], s.segs[i+1:]...)
	s.bytes -= g.size
	if s.rd.seg == g {
		s.enter(s.segs[i]) // all of g was acknowledged: go on after it
	}
	return nil
}

// after runs at the end of every call of the driving goroutine: it reclaims
// space when acknowledgements allow, and publishes the numbers Stats reads.
func (s *Spool) after() {
	s.mu.Lock()
	gen := s.persistGen
	s.mu.Unlock()
	want := len(s.segs) > 1 && (s.acks.covers(s.segs[0].first, s.segs[0].last) || gen != s.reclaimedGen)
	if s.retry {
		// After a failed Remove, try again at most once a SyncPeriod.
		want = want && s.opts.Now().UnixNano()-s.lastRetry >= int64(s.opts.SyncPeriod)
	}
	if want {
		s.retry = false
		s.reclaimedGen = gen
		s.reclaim(false)
	}

	// The oldest record not acknowledged is the first in flight, or else the
	// one at the read cursor.
	for s.inflight.len() > 0 && s.acks.has(s.inflight.front().seq) {
		s.inflight.pop()
	}
	var oldest int64
	switch {
	case s.pending == 0:
	case s.inflight.len() > 0:
		oldest = s.inflight.front().nanos
	case s.rd.cursorNanos != 0:
		oldest = s.rd.cursorNanos
	default:
		if rec, ok, err := s.peek(); err == nil && ok {
			oldest = rec.hdr.nanos
		}
	}

	s.mu.Lock()
	s.updateDurable()
	s.st.bytes = s.bytes
	s.st.segments = len(s.segs)
	s.st.records = s.pending
	s.st.nextSeq = s.nextSeq
	s.st.oldestNanos = oldest
	s.mu.Unlock()
}
