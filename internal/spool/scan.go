package spool

import (
	"bytes"
	"errors"
	"io"
)

// scanner reads records from one segment file through a read-ahead buffer.
// Recovery uses it to validate a segment, and the reader to yield records.
type scanner struct {
	f     File
	buf   []byte
	start int64 // file offset of buf[0]
}

const scanBufSize = 256 << 10

func newScanner(f File) *scanner {
	return &scanner{f: f, buf: make([]byte, 0, scanBufSize)}
}

// reset points the scanner at another file, keeping its buffer.
func (s *scanner) reset(f File) {
	s.f, s.start, s.buf = f, 0, s.buf[:0]
}

// window returns the n bytes at off, or fewer where the file ends. The
// returned slice is valid until the next call.
func (s *scanner) window(off int64, n int) ([]byte, error) {
	if off >= s.start && off+int64(n) <= s.start+int64(len(s.buf)) {
		return s.buf[off-s.start : off-s.start+int64(n)], nil
	}
	want := max(n, scanBufSize)
	if cap(s.buf) < want {
		s.buf = make([]byte, want)
	}
	s.buf = s.buf[:want]
	m, err := s.f.ReadAt(s.buf, off)
	s.start, s.buf = off, s.buf[:m]
	if err != nil && !errors.Is(err, io.EOF) {
		s.buf = s.buf[:0]
		return nil, err
	}
	return s.buf[:min(n, m)], nil
}

// record is a valid record found by a scan. Its payload aliases the
// scanner's buffer.
type record struct {
	off     int64
	hdr     recHeader
	payload []byte
}

func (r record) end() int64 { return r.off + recHeaderSize + int64(r.hdr.length) }

// at returns the record at off if a valid one with a sequence number above
// after starts there and ends by limit.
func (s *scanner) at(off, limit int64, after uint64) (record, bool, error) {
	if limit-off < recHeaderSize {
		return record{}, false, nil
	}
	b, err := s.window(off, recHeaderSize)
	if err != nil || len(b) < recHeaderSize {
		return record{}, false, err
	}
	h, ok := parseHeader(b)
	if !ok || h.length > maxFormatRecord || h.seq <= after || off+recHeaderSize+int64(h.length) > limit {
		return record{}, false, nil
	}
	b, err = s.window(off, recHeaderSize+int(h.length))
	if err != nil || len(b) < recHeaderSize+int(h.length) {
		return record{}, false, err
	}
	if !checkCRC(b) {
		return record{}, false, nil
	}
	return record{off: off, hdr: h, payload: b[recHeaderSize:]}, true, nil
}

// next returns the first valid record at or after off that ends by limit
// and whose sequence number is above after. found is false when there is
// none before limit. A valid record starting after off means the bytes in
// between are corrupt.
func (s *scanner) next(off, limit int64, after uint64) (rec record, found bool, err error) {
	if rec, ok, err := s.at(off, limit, after); ok || err != nil {
		return rec, ok, err
	}
	// Resynchronise: look for the next magic and try each candidate.
	p := off + 1
	for limit-p >= recHeaderSize {
		n := int(min(int64(scanBufSize), limit-p))
		b, err := s.window(p, n)
		if err != nil {
			return record{}, false, err
		}
		i := bytes.Index(b, recMagic[:])
		if i < 0 {
			if len(b) < len(recMagic) {
				break
			}
			p += int64(len(b) - len(recMagic) + 1) // a magic may straddle the window's end
			continue
		}
		cand := p + int64(i)
		rec, ok, err := s.at(cand, limit, after)
		if ok || err != nil {
			return rec, ok, err
		}
		p = cand + 1
	}
	return record{}, false, nil
}
