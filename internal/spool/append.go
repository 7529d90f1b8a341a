package spool

import (
	"errors"
	"fmt"
	"os"
)

// Internal reasons for appendChunk to stop early.
var (
	errRoll   = errors.New("roll")    // the active segment is full
	errNoRoom = errors.New("no room") // MaxBytes reached
	errMore   = errors.New("more")    // the chunk is big enough; write another
)

// chunkBytes bounds one write, so that the scratch buffer stays small.
const chunkBytes = 1 << 20

// Append writes payloads as consecutive records, in order, and returns the
// sequence number of the first and how many were written: payloads[:n] got
// the numbers first, first+1, ... first+n-1. Every one of them is in the
// operating system's page cache, and will be yielded by Next, until
// acknowledged; under SyncEveryAppend, when err is nil, they are also on
// stable storage.
//
// Append stops at the first payload it cannot write and says why:
//   - ErrTooLarge: payloads[n] is over MaxRecordBytes; the rest was not tried.
//   - ErrFull: payloads[n] does not fit within MaxBytes, even after
//     reclaiming every segment whose records are all acknowledged.
//   - ErrIO: the file system failed (the error also wraps the system's, such
//     as syscall.ENOSPC); the spool stays usable, and the next Append tries
//     again.
//
// Under SyncEveryAppend, an ErrIO error with n == len(payloads) means the
// records were written but the fsync failed: they are spooled, and will be
// delivered, but Durable does not cover them.
//
// Append copies the payloads; the caller may reuse them when it returns.
func (s *Spool) Append(payloads ...[]byte) (first uint64, n int, err error) {
	if s.closed {
		return 0, 0, ErrClosed
	}
	first = s.nextSeq
	nanos := s.opts.Now().UnixNano()
	for n < len(payloads) && err == nil {
		if err = s.ensureWritable(); err != nil {
			break
		}
		k, why := s.appendChunk(payloads[n:], nanos)
		n += k
		switch why {
		case nil, errMore:
		case errRoll:
			err = s.roll()
		case errNoRoom:
			if !s.makeRoom() {
				err = fmt.Errorf("%w: %d of %d bytes in use", ErrFull, s.bytes, s.opts.MaxBytes)
			}
		default:
			err = why
		}
	}
	if n > 0 && s.opts.Sync == SyncEveryAppend {
		s.syncMu.Lock()
		serr := s.fsyncActiveLocked()
		s.syncMu.Unlock()
		if serr != nil {
			err = errors.Join(err, serr)
		}
	}
	if n > 0 && s.rd.atEnd && s.rd.cursorNanos == 0 {
		s.rd.cursorNanos = nanos // the oldest unread record is the first of these
	}
	s.after()
	if err != nil && s.scratch != nil && cap(s.scratch) > chunkBytes {
		s.scratch = nil
	}
	return first, n, err
}

// appendChunk encodes as many payloads as fit in the active segment, within
// MaxBytes and chunkBytes, writes them with one write, and returns how many
// it wrote and why it stopped (nil when it wrote them all).
func (s *Spool) appendChunk(payloads [][]byte, nanos int64) (int, error) {
	g := s.segs[len(s.segs)-1]
	buf := s.scratch[:0]
	size, total := g.size, s.bytes
	k := 0
	var why error
	for _, p := range payloads {
		if len(p) > s.opts.MaxRecordBytes {
			why = fmt.Errorf("%w: %d bytes, more than MaxRecordBytes (%d)", ErrTooLarge, len(p), s.opts.MaxRecordBytes)
			break
		}
		rs := int64(recHeaderSize + len(p))
		if size+rs > s.opts.SegmentBytes && g.records() || k > 0 && size+rs > s.opts.SegmentBytes {
			why = errRoll
			break
		}
		if total+rs > s.opts.MaxBytes {
			why = errNoRoom
			break
		}
		if k > 0 && int64(len(buf))+rs > chunkBytes {
			why = errMore
			break
		}
		buf = appendRecord(buf, s.nextSeq+uint64(k), nanos, p)
		size += rs
		total += rs
		k++
	}
	s.scratch = buf
	if k == 0 {
		return 0, why
	}
	m, err := s.activeFile.WriteAt(buf, g.size)
	if err != nil {
		// Keep the records that reached the file whole; cut the partial
		// one, or, if even that fails, never append to this segment again.
		whole, wholeBytes := 0, 0
		for wholeBytes < len(buf) {
			h, _ := parseHeader(buf[wholeBytes:])
			next := wholeBytes + recHeaderSize + int(h.length)
			if next > m {
				break
			}
			wholeBytes = next
			whole++
		}
		if m > wholeBytes {
			if terr := s.activeFile.Truncate(g.size + int64(wholeBytes)); terr != nil {
				s.mu.Lock()
				s.needRoll = true
				s.mu.Unlock()
			}
		}
		s.commit(g, whole, int64(wholeBytes))
		err = fmt.Errorf("%w: write %s: %w", ErrIO, g.name(), err)
		s.mu.Lock()
		s.diskErrorLocked(err)
		s.mu.Unlock()
		return whole, err
	}
	s.commit(g, k, int64(len(buf)))
	return k, why
}

// commit accounts for k records of n bytes written at the end of g.
func (s *Spool) commit(g *segment, k int, n int64) {
	if k == 0 {
		return
	}
	g.size += n
	s.bytes += n
	s.nextSeq += uint64(k)
	s.pending += uint64(k)
	g.last = s.nextSeq - 1
	s.mu.Lock()
	s.written = g.last
	s.unsynced = true
	s.diskOKLocked()
	if s.opts.Sync == SyncNever {
		s.updateDurable()
	}
	s.mu.Unlock()
}

// ensureWritable starts a new segment when the active one must not be
// appended to (a failed fsync, a failed truncate, or none at all).
func (s *Spool) ensureWritable() error {
	s.mu.Lock()
	need := s.needRoll || s.activeFile == nil
	s.mu.Unlock()
	if need {
		return s.roll()
	}
	return nil
}

// roll seals the active segment (fsyncing it, unless the policy is
// SyncNever) and starts a new one named for the next record. If the active
// segment holds no record it is replaced instead.
func (s *Spool) roll() error {
	s.syncMu.Lock()
	if s.opts.Sync != SyncNever {
		s.fsyncActiveLocked() // a failure poisons what it covers; the roll goes on
	}
	s.syncMu.Unlock()
	return s.createSegment()
}

// createSegment creates the segment file for s.nextSeq, makes it the active
// one, and closes the previous active file.
func (s *Spool) createSegment() error {
	first := s.nextSeq
	name := segName(first)
	f, err := s.fs.OpenFile(s.dir, name, os.O_RDWR|os.O_CREATE|os.O_TRUNC)
	if err == nil {
		_, err = f.WriteAt(segHeader(first), 0)
		if err == nil && s.opts.Sync != SyncNever {
			if err = f.Sync(); err == nil {
				err = s.fs.SyncDir(s.dir)
			}
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		err = fmt.Errorf("%w: create %s: %w", ErrIO, name, err)
		s.mu.Lock()
		s.diskErrorLocked(err)
		s.mu.Unlock()
		return err
	}

	// The previous active segment is replaced if it was the same file (it
	// held no record), else kept, sealed.
	n := len(s.segs)
	replace := n > 0 && s.segs[n-1].first == first
	g := &segment{first: first, last: first - 1, size: segHeaderSize}
	if replace {
		old := s.segs[n-1]
		s.bytes -= old.size
		*old = *g // the reader may hold this pointer
		g = old
	} else {
		s.segs = append(s.segs, g)
	}
	s.bytes += segHeaderSize

	s.syncMu.Lock()
	s.mu.Lock()
	old := s.activeFile
	s.activeFile = f
	s.needRoll = false
	s.unsynced = false
	s.mu.Unlock()
	s.syncMu.Unlock()
	if old != nil {
		old.Close() // read-only use is over, and its data was synced or poisoned
	}
	if replace {
		s.rd.invalidate(g)
	}
	return nil
}
