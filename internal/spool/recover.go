package spool

import (
	"fmt"
	"os"
	"slices"
)

// recover loads the acknowledgements, scans every segment and opens the last
// one for appending. It runs in Open, before the syncer starts.
func (s *Spool) recover() error {
	af, acks, lost, err := openAckFiles(s.fs, s.dir)
	if err != nil {
		return err
	}
	s.ackFile, s.acks, s.persisted = af, acks, acks.clone()
	if lost {
		s.st.acksLost = true
		s.opts.Logger.Warn("spool: acknowledgement files are corrupt; every record will be delivered again", "dir", s.dir)
	}

	names, err := s.fs.ReadDir(s.dir)
	if err != nil {
		return fmt.Errorf("%w: list %s: %w", ErrIO, s.dir, err)
	}
	var firsts []uint64
	for _, n := range names {
		if first, ok := parseSegName(n); ok {
			firsts = append(firsts, first)
		}
	}
	slices.Sort(firsts)
	if s.opts.Sync != SyncNever {
		// The acknowledgement files may have just been created.
		if err := s.fs.SyncDir(s.dir); err != nil {
			return fmt.Errorf("%w: fsync %s: %w", ErrIO, s.dir, err)
		}
	}

	// Records before the first segment were reclaimed, hence acknowledged,
	// even if the acknowledgement file that said so was lost.
	if len(firsts) > 0 {
		s.acks.raiseFloor(firsts[0] - 1)
	}
	prev := uint64(0) // last valid sequence number so far
	sc := newScanner(nil)
	for i, first := range firsts {
		g, err := s.scanSegment(sc, first, prev, i == len(firsts)-1)
		if err != nil {
			return err
		}
		s.segs = append(s.segs, g)
		s.bytes += g.size
		if g.records() {
			prev = g.last
		}
	}
	s.rd.sc = sc
	s.nextSeq = max(prev, s.acks.floor) + 1

	// The last segment takes the appends, so it must end with its last
	// valid record; an empty one must be named for the next record.
	if n := len(s.segs); n > 0 && s.segs[n-1].empty() && s.segs[n-1].first != s.nextSeq {
		g := s.segs[n-1]
		if err := s.fs.Remove(s.dir, g.name()); err != nil {
			return fmt.Errorf("%w: remove empty segment %s: %w", ErrIO, g.name(), err)
		}
		s.segs = s.segs[:n-1]
		s.bytes -= g.size
	}
	if n := len(s.segs); n > 0 && s.segs[n-1].first <= s.nextSeq {
		g := s.segs[n-1]
		f, err := s.fs.OpenFile(s.dir, g.name(), os.O_RDWR)
		if err != nil {
			return fmt.Errorf("%w: open %s: %w", ErrIO, g.name(), err)
		}
		s.activeFile = f
		if s.opts.Sync != SyncNever {
			// What the dead process left in the page cache becomes
			// durable now, so that Durable can cover it.
			if err := f.Sync(); err != nil {
				return fmt.Errorf("%w: fsync %s: %w", ErrIO, g.name(), err)
			}
		}
	} else if err := s.createSegment(); err != nil {
		return err
	}

	s.written = s.nextSeq - 1
	s.synced = s.written
	s.pending = s.written - s.acks.count(s.written)
	s.acksDirty = s.acks.floor != s.persisted.floor || !slices.Equal(s.acks.ranges, s.persisted.ranges)
	s.mu.Lock()
	s.updateDurable()
	s.mu.Unlock()
	s.after()
	return nil
}

// scanSegment validates one segment file. prev is the last valid sequence
// number before it. The last segment's torn tail is truncated; corruption
// elsewhere is skipped, counted and logged, and the sequence numbers it
// swallowed are acknowledged so that nothing waits for them.
func (s *Spool) scanSegment(sc *scanner, first, prev uint64, last bool) (*segment, error) {
	g := &segment{first: first, last: first - 1, size: segHeaderSize}
	name := g.name()
	flag := os.O_RDONLY
	if last {
		flag = os.O_RDWR
	}
	f, err := s.fs.OpenFile(s.dir, name, flag)
	if err != nil {
		return nil, fmt.Errorf("%w: open %s: %w", ErrIO, name, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: stat %s: %w", ErrIO, name, err)
	}
	size := info.Size()
	sc.reset(f)

	hdr, err := sc.window(0, segHeaderSize)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", ErrIO, name, err)
	}
	hdrOK, err := checkSegHeader(hdr, first)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if size < segHeaderSize || !hdrOK && size == segHeaderSize {
		// Created, not yet written (or torn while written): no records.
		if last {
			if err := s.rewriteHeader(f, first); err != nil {
				return nil, err
			}
		}
		return g, nil
	}
	if !hdrOK {
		s.corrupt(g, 0, segHeaderSize, 0, 0, "segment header")
	}

	if first > prev+1 {
		s.corrupt(g, 0, 0, prev+1, first-1, "missing records before a segment")
	}
	expect := max(prev, first-1) // records up to it are accounted for
	off := int64(segHeaderSize)
	for off < size {
		rec, found, err := sc.next(off, size, expect)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", ErrIO, name, err)
		}
		if !found {
			break
		}
		if rec.off > off {
			s.corrupt(g, off, rec.off, expect+1, rec.hdr.seq-1, "corrupt record")
		} else if rec.hdr.seq > expect+1 {
			s.corrupt(g, off, off, expect+1, rec.hdr.seq-1, "missing records")
		}
		expect = rec.hdr.seq
		g.last = rec.hdr.seq
		off = rec.end()
	}
	g.size = off
	if off < size {
		if last {
			s.st.tornBytes += size - off
			s.opts.Logger.Info("spool: truncating a torn tail", "segment", name, "offset", off, "bytes", size-off)
			if err := f.Truncate(off); err != nil {
				return nil, fmt.Errorf("%w: truncate %s: %w", ErrIO, name, err)
			}
		} else {
			// A sealed segment ends in garbage: what the next segment
			// misses is counted when it is scanned.
			s.corrupt(g, off, size, 0, 0, "corrupt tail of a sealed segment")
		}
	}
	return g, nil
}

// corrupt records the bad bytes [from, to) of g and the sequence numbers
// lo..hi they swallowed (none when hi < lo), which it acknowledges so that
// nothing waits for them. It returns how many of those were not
// acknowledged before: the records lost.
func (s *Spool) corrupt(g *segment, from, to int64, lo, hi uint64, what string) (lost uint64) {
	if to > from {
		g.holes = append(g.holes, span{from, to})
	}
	s.mu.Lock()
	if hi >= lo && lo > 0 {
		lost = s.acks.add(lo, hi)
		s.acksDirty = s.acksDirty || lost > 0
	}
	s.st.corruptRecords += lost
	s.st.corruptBytes += to - from
	s.mu.Unlock()
	if lost == 0 && to == from {
		return 0
	}
	s.opts.Logger.Warn("spool: skipping "+what, "segment", g.name(), "offset", from, "bytes", to-from, "records_lost", lost)
	return lost
}

func (s *Spool) rewriteHeader(f File, first uint64) error {
	if err := f.Truncate(0); err != nil {
		return fmt.Errorf("%w: truncate %s: %w", ErrIO, segName(first), err)
	}
	if _, err := f.WriteAt(segHeader(first), 0); err != nil {
		return fmt.Errorf("%w: write %s: %w", ErrIO, segName(first), err)
	}
	return nil
}
