package spool

import (
	"fmt"
	"os"
	"time"
)

// Record is one record read back from the spool.
type Record struct {
	// Seq is the record's sequence number, which Ack takes.
	Seq uint64
	// Time is when it was appended (Options.Now).
	Time time.Time
	// Payload is the caller's: Next does not reuse it.
	Payload []byte
}

// reader is the read cursor: the position of the next record to consider
// in segment seg, and a peeked record.
type reader struct {
	seg  *segment
	f    File
	sc   *scanner
	off  int64
	prev uint64 // sequence number of the last record passed

	peeked bool
	cur    record

	// atEnd: the last peek found nothing. cursorNanos: the append time of
	// the record at the cursor, 0 when unknown.
	atEnd       bool
	cursorNanos int64
}

func (r *reader) close() {
	if r.f != nil {
		r.f.Close()
	}
	sc := r.sc
	*r = reader{sc: sc}
}

// invalidate drops the reader's position if it is in g, which changed under
// it.
func (r *reader) invalidate(g *segment) {
	if r.seg == g {
		r.peeked = false
		r.cursorNanos = 0
		r.off = min(r.off, g.size)
		if r.sc != nil {
			r.sc.reset(r.sc.f) // what it read ahead is stale
		}
	}
}

// Next appends to dst the next records not acknowledged, oldest first, at
// most maxRecords of them and, past the first, at most maxBytes of payload
// (maxBytes <= 0: no byte bound), and returns the extended slice. It returns
// dst unchanged when nothing is left to read. The records stay in the spool
// until acknowledged; Next moves the read cursor past them, and Rewind moves
// it back to the oldest record not acknowledged.
//
// A corrupt record Next finds (the file changed after Open) is skipped,
// counted in Stats.CorruptRecords and logged, as at Open. A read error is
// returned wrapping ErrIO; the cursor stays, and the next call tries again.
func (s *Spool) Next(dst []Record, maxRecords, maxBytes int) ([]Record, error) {
	if s.closed {
		return dst, ErrClosed
	}
	var arena []byte
	got, bytes := 0, 0
	var err error
	for got < maxRecords {
		rec, ok, perr := s.peek()
		if perr != nil {
			err = perr
			break
		}
		if !ok {
			break
		}
		n := len(rec.payload)
		if got > 0 && maxBytes > 0 && bytes+n > maxBytes {
			break
		}
		if cap(arena)-len(arena) < n {
			arena = make([]byte, 0, max(n, 64<<10))
		}
		p := arena[len(arena) : len(arena)+n : len(arena)+n]
		copy(p, rec.payload)
		arena = arena[:len(arena)+n]
		dst = append(dst, Record{Seq: rec.hdr.seq, Time: time.Unix(0, rec.hdr.nanos), Payload: p})
		s.inflight.push(inflight{rec.hdr.seq, rec.hdr.nanos})
		s.consume()
		got++
		bytes += n
	}
	s.after()
	return dst, err
}

// Rewind moves the read cursor back to the oldest record not acknowledged,
// for a host that lost the records Next gave it (a restart after a panic).
func (s *Spool) Rewind() {
	s.rd.close()
	s.inflight.clear()
	s.after()
}

// consume moves the cursor past the peeked record.
func (s *Spool) consume() {
	r := &s.rd
	r.off = r.cur.end()
	r.prev = r.cur.hdr.seq
	r.peeked = false
	r.cursorNanos = 0
}

// peek returns the next record not acknowledged, without moving past it.
func (s *Spool) peek() (record, bool, error) {
	r := &s.rd
	if r.peeked {
		if !s.acks.has(r.cur.hdr.seq) {
			return r.cur, true, nil
		}
		s.consume()
	}
	for {
		if r.seg == nil {
			if len(s.segs) == 0 {
				r.atEnd = true
				return record{}, false, nil
			}
			s.enter(s.segs[0])
		}
		g := r.seg
		limit := g.size
		for _, h := range g.holes {
			if r.off >= h.from && r.off < h.to {
				r.off = h.to
			}
			if h.from > r.off {
				limit = min(limit, h.from)
				break
			}
		}
		if r.off >= limit {
			i := s.segIndex(g)
			if i < 0 || i == len(s.segs)-1 {
				r.atEnd = true
				return record{}, false, nil
			}
			s.enter(s.segs[i+1])
			continue
		}
		if r.f == nil {
			if err := s.openCursor(); err != nil {
				return record{}, false, err
			}
		}
		rec, found, err := r.sc.next(r.off, limit, r.prev)
		if err != nil {
			return record{}, false, fmt.Errorf("%w: read %s: %w", ErrIO, g.name(), err)
		}
		if !found {
			s.corrupt(g, r.off, limit, 0, 0, "corrupt bytes found while reading")
			sortHoles(g)
			r.off = limit
			continue
		}
		if rec.off > r.off || rec.hdr.seq > r.prev+1 {
			s.pending -= s.corrupt(g, r.off, rec.off, r.prev+1, rec.hdr.seq-1, "corrupt record found while reading")
			sortHoles(g)
		}
		r.off = rec.off
		if s.acks.has(rec.hdr.seq) {
			r.off = rec.end()
			r.prev = rec.hdr.seq
			continue
		}
		r.cur, r.peeked, r.atEnd = rec, true, false
		r.cursorNanos = rec.hdr.nanos
		return rec, true, nil
	}
}

// enter moves the cursor to the start of g, or to its end when all its
// records are acknowledged. The file is opened when first read.
func (s *Spool) enter(g *segment) {
	r := &s.rd
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	prev := max(r.prev, g.first-1)
	r.seg, r.off, r.prev, r.peeked, r.cursorNanos = g, segHeaderSize, prev, false, 0
	if s.acks.covers(g.first, g.last) {
		r.off, r.prev = g.size, max(prev, g.last) // nothing to read here
	}
}

// open opens the cursor's segment file for reading.
func (s *Spool) openCursor() error {
	r := &s.rd
	f, err := s.fs.OpenFile(s.dir, r.seg.name(), os.O_RDONLY)
	if err != nil {
		return fmt.Errorf("%w: open %s: %w", ErrIO, r.seg.name(), err)
	}
	r.f = f
	if r.sc == nil {
		r.sc = newScanner(f)
	} else {
		r.sc.reset(f)
	}
	return nil
}

func (s *Spool) segIndex(g *segment) int {
	for i, h := range s.segs {
		if h == g {
			return i
		}
	}
	return -1
}

func sortHoles(g *segment) {
	for i := len(g.holes) - 1; i > 0 && g.holes[i].from < g.holes[i-1].from; i-- {
		g.holes[i], g.holes[i-1] = g.holes[i-1], g.holes[i]
	}
}

// inflightQueue is a FIFO of the records Next yielded that are not known
// acknowledged, oldest first.
type inflightQueue struct {
	q    []inflight
	head int
}

func (f *inflightQueue) push(x inflight) {
	if f.head > 0 && f.head >= len(f.q)/2 {
		n := copy(f.q, f.q[f.head:])
		f.q, f.head = f.q[:n], 0
	}
	f.q = append(f.q, x)
}

func (f *inflightQueue) len() int        { return len(f.q) - f.head }
func (f *inflightQueue) front() inflight { return f.q[f.head] }
func (f *inflightQueue) pop()            { f.head++ }
func (f *inflightQueue) clear()          { f.q, f.head = f.q[:0], 0 }
