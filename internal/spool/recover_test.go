package spool

import (
	"os"
	"slices"
	"testing"
)

// closed appends payload(0..n-1) to a new spool in dir and closes it.
func closed(t *testing.T, dir string, opts Options, n int) {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 0, n)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestTornTail(t *testing.T) {
	for _, cut := range []struct {
		name string
		keep func(recLen int64) int64 // bytes of the last record to keep
	}{
		{"inside the header", func(int64) int64 { return 5 }},
		{"inside the payload", func(n int64) int64 { return n - 3 }},
		{"one byte short", func(n int64) int64 { return n - 1 }},
	} {
		t.Run(cut.name, func(t *testing.T) {
			dir := t.TempDir()
			closed(t, dir, Options{}, 50)
			segs := segFiles(t, dir)
			last := segs[len(segs)-1]
			offs := recordOffsets(t, last)
			info, _ := os.Stat(last)
			lastOff := offs[len(offs)-1]
			if err := os.Truncate(last, lastOff+cut.keep(info.Size()-lastOff)); err != nil {
				t.Fatal(err)
			}

			s := open(t, dir, Options{})
			st := s.Stats()
			if st.TornBytes == 0 || st.CorruptRecords != 0 || st.CorruptBytes != 0 {
				t.Fatalf("stats after a torn tail: %+v", st)
			}
			got := readAll(t, s)
			if !slices.Equal(seqs(got), span1(1, 49)) {
				t.Fatalf("read %v", seqs(got))
			}
			checkPayloads(t, got)
			if info, _ := os.Stat(last); info.Size() != lastOff {
				t.Fatalf("tail not truncated: %d bytes, want %d", info.Size(), lastOff)
			}
			// Appending goes on from the truncated end.
			if first, _, err := s.Append(payload(49)); err != nil || first != 50 {
				t.Fatalf("Append after recovery: seq %d, %v", first, err)
			}
			if got, _ := s.Next(nil, 10, 0); !slices.Equal(seqs(got), []uint64{50}) {
				t.Fatalf("read %v", seqs(got))
			}
		})
	}
}

func TestTornTailOfZeros(t *testing.T) {
	// After a power loss, ext4 can leave a file's new size with zeros where
	// unsynced data should be.
	dir := t.TempDir()
	closed(t, dir, Options{}, 10)
	segs := segFiles(t, dir)
	f, err := os.OpenFile(segs[len(segs)-1], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 8192))
	f.Close()
	s := open(t, dir, Options{})
	if st := s.Stats(); st.TornBytes != 8192 || st.CorruptRecords != 0 {
		t.Fatalf("stats %+v", st)
	}
	if got := readAll(t, s); !slices.Equal(seqs(got), span1(1, 10)) {
		t.Fatalf("read %v", seqs(got))
	}
}

func TestCorruptMiddleRecord(t *testing.T) {
	for _, c := range []struct {
		name string
		at   int64 // byte offset inside the record
	}{
		{"magic", 1},
		{"checksum", 5},
		{"length", 9},
		{"sequence number", 14},
		{"timestamp", 22},
		{"payload", recHeaderSize + 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			closed(t, dir, Options{}, 30)
			seg := segFiles(t, dir)[0]
			offs := recordOffsets(t, seg)
			b, _ := os.ReadFile(seg)
			b[offs[14]+c.at] ^= 0x5A // record 15
			os.WriteFile(seg, b, 0o644)

			s := open(t, dir, Options{})
			st := s.Stats()
			if st.CorruptRecords != 1 || st.CorruptBytes == 0 || st.TornBytes != 0 {
				t.Fatalf("stats %+v", st)
			}
			if st.Records != 29 {
				t.Fatalf("Records = %d, want 29", st.Records)
			}
			got := readAll(t, s)
			if !slices.Equal(seqs(got), without(span1(1, 30), 15)) {
				t.Fatalf("read %v", seqs(got))
			}
			checkPayloads(t, got)

			// The lost record counts as acknowledged (it is gone), so the
			// floor moves past it once the rest is acknowledged, and a
			// reopen does not count it again.
			s.AckRange(1, 30)
			s.Close()
			s = open(t, dir, Options{})
			if st := s.Stats(); st.CorruptRecords != 0 || st.Records != 0 || st.Acked != 30 {
				t.Fatalf("stats after reopen %+v", st)
			}
		})
	}
}

func TestCorruptRunOfRecords(t *testing.T) {
	// Several adjacent records garbled, and the last record of a sealed
	// segment: both skipped, counted, and what follows still read.
	dir := t.TempDir()
	opts := Options{SegmentBytes: 4 << 10}
	closed(t, dir, opts, 200)
	segs := segFiles(t, dir)
	if len(segs) < 3 {
		t.Fatalf("want several segments, have %d", len(segs))
	}
	offs := recordOffsets(t, segs[0])
	b, _ := os.ReadFile(segs[0])
	for i := offs[3]; i < offs[6]; i++ {
		b[i] = 0xFF // records 4, 5, 6
	}
	b[len(b)-2] ^= 1 // the sealed segment's last record
	os.WriteFile(segs[0], b, 0o644)
	lastOfFirst := uint64(len(offs))

	s := open(t, dir, opts)
	if st := s.Stats(); st.CorruptRecords != 4 {
		t.Fatalf("CorruptRecords = %d, want 4 (%+v)", st.CorruptRecords, st)
	}
	got := readAll(t, s)
	if want := without(span1(1, 200), 4, 5, 6, lastOfFirst); !slices.Equal(seqs(got), want) {
		t.Fatalf("read %v, want %v", seqs(got), want)
	}
	checkPayloads(t, got)
}

func TestMissingSegment(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 4 << 10}
	closed(t, dir, opts, 200)
	segs := segFiles(t, dir)
	if err := os.Remove(segs[1]); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, opts)
	got := readAll(t, s)
	st := s.Stats()
	if n := 200 - len(got); n == 0 || st.CorruptRecords != uint64(n) {
		t.Fatalf("read %d of 200, CorruptRecords %d", len(got), st.CorruptRecords)
	}
	if !slices.IsSorted(seqs(got)) {
		t.Fatalf("out of order: %v", seqs(got))
	}
	checkPayloads(t, got)
}

func TestEmptyAndShortSegments(t *testing.T) {
	dir := t.TempDir()
	closed(t, dir, Options{}, 3)
	// A segment created but not yet written when the process died.
	if err := os.WriteFile(dir+"/"+segName(4), []byte("SLS"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := open(t, dir, Options{})
	if got := readAll(t, s); !slices.Equal(seqs(got), span1(1, 3)) {
		t.Fatalf("read %v", seqs(got))
	}
	if first, _, err := s.Append(payload(3)); err != nil || first != 4 {
		t.Fatalf("Append: %d %v", first, err)
	}
	s.Close()
	s = open(t, dir, Options{})
	got := readAll(t, s)
	if !slices.Equal(seqs(got), span1(1, 4)) {
		t.Fatalf("read %v", seqs(got))
	}
	checkPayloads(t, got)
	if st := s.Stats(); st.CorruptRecords+uint64(st.CorruptBytes)+uint64(st.TornBytes) != 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestUnknownVersionRefused(t *testing.T) {
	dir := t.TempDir()
	closed(t, dir, Options{}, 3)
	seg := segFiles(t, dir)[0]
	b, _ := os.ReadFile(seg)
	b[7] = 9
	os.WriteFile(seg, b, 0o644)
	if _, err := Open(dir, Options{}); err == nil || !errorsIs(err, ErrFormat) {
		t.Fatalf("Open = %v, want ErrFormat", err)
	}
}
