package spool

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestAckSet(t *testing.T) {
	for _, c := range []struct {
		name   string
		add    []seqRange
		floor  uint64
		ranges []seqRange
		added  uint64
	}{
		{"in order becomes the floor", []seqRange{{1, 3}, {4, 4}, {5, 9}}, 9, nil, 9},
		{"a hole stays a range", []seqRange{{1, 3}, {5, 6}}, 3, []seqRange{{5, 6}}, 5},
		{"filling the hole merges into the floor", []seqRange{{1, 3}, {5, 6}, {8, 8}, {4, 4}}, 6, []seqRange{{8, 8}}, 7},
		{"adjacent ranges merge", []seqRange{{10, 12}, {14, 15}, {13, 13}}, 0, []seqRange{{10, 15}}, 6},
		{"overlaps count once", []seqRange{{10, 20}, {15, 25}, {5, 12}}, 0, []seqRange{{5, 25}}, 21},
		{"a range spanning several", []seqRange{{3, 3}, {6, 6}, {9, 9}, {2, 10}}, 0, []seqRange{{2, 10}}, 9},
		{"inserted before others", []seqRange{{20, 21}, {10, 11}}, 0, []seqRange{{10, 11}, {20, 21}}, 4},
		{"below the floor is nothing", []seqRange{{1, 5}, {2, 4}}, 5, nil, 5},
		{"empty range", []seqRange{{5, 4}}, 0, nil, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			var a ackSet
			var added uint64
			for _, r := range c.add {
				added += a.add(r.lo, r.hi)
			}
			if a.floor != c.floor || !slices.Equal(a.ranges, c.ranges) || added != c.added {
				t.Fatalf("floor %d ranges %v added %d; want %d %v %d", a.floor, a.ranges, added, c.floor, c.ranges, c.added)
			}
			// has, covers and count agree with a plain set.
			set := map[uint64]bool{}
			for _, r := range c.add {
				for q := r.lo; q <= r.hi; q++ {
					set[q] = true
				}
			}
			for q := uint64(1); q <= 30; q++ {
				if a.has(q) != set[q] {
					t.Fatalf("has(%d) = %v", q, a.has(q))
				}
				for h := q; h <= 30; h++ {
					all := true
					for x := q; x <= h; x++ {
						all = all && set[x]
					}
					if a.covers(q, h) != all {
						t.Fatalf("covers(%d, %d) = %v", q, h, !all)
					}
				}
				n := uint64(0)
				for x := uint64(1); x <= q; x++ {
					if set[x] {
						n++
					}
				}
				if a.count(q) != n {
					t.Fatalf("count(%d) = %d, want %d", q, a.count(q), n)
				}
			}
		})
	}
}

func TestAcksWithHolesSurviveReopen(t *testing.T) {
	dir := t.TempDir()
	opts := Options{SegmentBytes: 4 << 10}
	s := open(t, dir, opts)
	appendN(t, s, 0, 300)
	got := readAll(t, s)
	if len(got) != 300 {
		t.Fatalf("read %d", len(got))
	}
	// A partly delivered batch: 1..100 out except 7 and 42; 150..300
	// out except every tenth.
	var acked []uint64
	for q := uint64(1); q <= 100; q++ {
		if q != 7 && q != 42 {
			acked = append(acked, q)
		}
	}
	for q := uint64(150); q <= 300; q++ {
		if q%10 != 0 {
			acked = append(acked, q)
		}
	}
	if err := s.Ack(acked...); err != nil {
		t.Fatal(err)
	}
	want := without(span1(1, 300), acked...)
	if st := s.Stats(); st.Records != uint64(len(want)) || st.Acked != 6 {
		t.Fatalf("stats %+v", st)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, opts)
	if st := s.Stats(); st.Records != uint64(len(want)) {
		t.Fatalf("Records after reopen = %d, want %d", st.Records, len(want))
	}
	got = readAll(t, s)
	if !slices.Equal(seqs(got), want) {
		t.Fatalf("after reopen read %v\nwant %v", seqs(got), want)
	}
	checkPayloads(t, got)

	// Acknowledge the rest: every sealed segment is reclaimed.
	s.Ack(want...)
	s.Sync()
	if st := s.Stats(); st.Records != 0 || st.Segments != 1 || st.Acked != 300 {
		t.Fatalf("stats after acknowledging all %+v", st)
	}
	if n := len(segFiles(t, dir)); n != 1 {
		t.Fatalf("%d segment files left", n)
	}
}

func TestUnsyncedAcksComeBackAfterACrash(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{SyncPeriod: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, 0, 20)
	readAll(t, s)
	s.AckRange(1, 5)
	s.Sync()
	s.AckRange(6, 10) // not written when the process dies
	s.crash()

	s = open(t, dir, Options{})
	if got := readAll(t, s); !slices.Equal(seqs(got), span1(6, 20)) {
		t.Fatalf("read %v", seqs(got))
	}
}

func TestNextAfterAckAndRewind(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	appendN(t, s, 0, 10)
	got, _ := s.Next(nil, 4, 0)
	if !slices.Equal(seqs(got), span1(1, 4)) {
		t.Fatalf("read %v", seqs(got))
	}
	s.Ack(2, 3)
	s.Ack(6) // not read yet: Next skips it
	got, _ = s.Next(nil, 100, 0)
	if !slices.Equal(seqs(got), []uint64{5, 7, 8, 9, 10}) {
		t.Fatalf("read %v", seqs(got))
	}
	s.Rewind()
	got, _ = s.Next(nil, 100, 0)
	if !slices.Equal(seqs(got), []uint64{1, 4, 5, 7, 8, 9, 10}) {
		t.Fatalf("after Rewind read %v", seqs(got))
	}
	checkPayloads(t, got)
}

func TestNextByteBound(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	big := make([]byte, 1000)
	s.Append(big, big, big, big)
	got, _ := s.Next(nil, 10, 2500)
	if len(got) != 2 {
		t.Fatalf("read %d records, want 2 within 2500 bytes", len(got))
	}
	got, _ = s.Next(nil, 10, 10) // the first record always comes
	if len(got) != 1 {
		t.Fatalf("read %d records, want 1", len(got))
	}
}

func TestReclaimAndFull(t *testing.T) {
	dir := t.TempDir()
	opts := Options{MaxBytes: 64 << 10, SegmentBytes: 8 << 10}
	s := open(t, dir, opts)
	p := make([]byte, 200)
	n := 0
	for {
		_, k, err := s.Append(p)
		if errors.Is(err, ErrFull) {
			break
		}
		if err != nil || k != 1 {
			t.Fatalf("Append: %v", err)
		}
		n++
	}
	st := s.Stats()
	if st.Bytes > opts.MaxBytes || st.Bytes < opts.MaxBytes-opts.SegmentBytes {
		t.Fatalf("full at %d bytes of %d", st.Bytes, opts.MaxBytes)
	}
	// Acknowledging the oldest half makes room, without a Sync.
	s.AckRange(1, uint64(n/2))
	if _, _, err := s.Append(p); err != nil {
		t.Fatalf("Append after acknowledging half: %v", err)
	}
	if st := s.Stats(); st.Bytes > opts.MaxBytes {
		t.Fatalf("%d bytes", st.Bytes)
	}
	// Acknowledging everything, the active segment included, makes room
	// for a whole spool again.
	s.AckRange(1, s.Stats().NextSeq-1)
	for i := 0; i < n-10; i++ {
		if _, _, err := s.Append(p); err != nil {
			t.Fatalf("Append %d after acknowledging all: %v", i, err)
		}
	}
}

func TestDropOldest(t *testing.T) {
	opts := Options{MaxBytes: 64 << 10, SegmentBytes: 8 << 10}
	s := open(t, t.TempDir(), opts)
	p := make([]byte, 200)
	for {
		if _, _, err := s.Append(p); err != nil {
			if !errors.Is(err, ErrFull) {
				t.Fatal(err)
			}
			break
		}
	}
	s.Ack(2)
	before := s.Stats()
	d, err := s.DropOldest()
	if err != nil {
		t.Fatal(err)
	}
	if d.First != 1 || d.Last < 10 || d.Records != d.Last-1 {
		t.Fatalf("dropped %+v", d)
	}
	after := s.Stats()
	if after.Records != before.Records-d.Records || after.Bytes >= before.Bytes {
		t.Fatalf("before %+v after %+v", before, after)
	}
	if _, _, err := s.Append(p); err != nil {
		t.Fatalf("Append after DropOldest: %v", err)
	}
	if got, _ := s.Next(nil, 1, 0); got[0].Seq != d.Last+1 {
		t.Fatalf("next record %d, want %d", got[0].Seq, d.Last+1)
	}
}

func TestTooLarge(t *testing.T) {
	s := open(t, t.TempDir(), Options{MaxRecordBytes: 100})
	first, n, err := s.Append([]byte("ok"), make([]byte, 101), []byte("never tried"))
	if !errors.Is(err, ErrTooLarge) || n != 1 || first != 1 {
		t.Fatalf("Append = %d %d %v", first, n, err)
	}
	if first, n, err := s.Append([]byte("next")); err != nil || first != 2 || n != 1 {
		t.Fatalf("Append = %d %d %v", first, n, err)
	}
}

func TestBigRecordsAndBatches(t *testing.T) {
	// Records bigger than the scan buffer and than a segment, and a batch
	// bigger than one write.
	dir := t.TempDir()
	opts := Options{SegmentBytes: 64 << 10, MaxRecordBytes: 1 << 20}
	s := open(t, dir, opts)
	big := make([]byte, 700<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	var batch [][]byte
	for i := 0; i < 3000; i++ {
		batch = append(batch, payload(i))
	}
	if _, n, err := s.Append(big); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if _, n, err := s.Append(batch...); err != nil || n != len(batch) {
		t.Fatal(n, err)
	}
	s.Append(big)
	s.Close()
	s = open(t, dir, opts)
	got := readAll(t, s)
	if len(got) != 3002 || !slices.Equal(got[0].Payload, big) || !slices.Equal(got[3001].Payload, big) {
		t.Fatalf("read %d records", len(got))
	}
	for i, r := range got[1:3001] {
		if !slices.Equal(r.Payload, payload(i)) {
			t.Fatalf("record %d: %q", r.Seq, r.Payload)
		}
	}
}

func TestAckFilesTornOrCorrupt(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir, Options{SyncPeriod: 1 << 40}) // only Sync and Close write acknowledgements
	appendN(t, s, 0, 10)
	s.AckRange(1, 3)
	s.Sync()
	s.AckRange(4, 6)
	s.Close()
	// The newer file is torn: the older one still says 1..3.
	names := ackNames
	newest := ""
	for _, n := range names {
		if b, _ := os.ReadFile(dir + "/" + n); len(b) > 0 {
			f, _ := os.Open(dir + "/" + n)
			gen, _, ok, _, _ := readAckFile(f)
			f.Close()
			if ok && gen == 2 {
				newest = n
			}
		}
	}
	if newest == "" {
		t.Fatal("no generation 2")
	}
	b, _ := os.ReadFile(dir + "/" + newest)
	os.WriteFile(dir+"/"+newest, b[:len(b)-3], 0o644)
	s = open(t, dir, Options{})
	if got := readAll(t, s); !slices.Equal(seqs(got), span1(4, 10)) {
		t.Fatalf("read %v", seqs(got))
	}
	s.Close()

	// Both garbled: everything comes again, and Stats says why.
	for _, n := range names {
		os.WriteFile(dir+"/"+n, []byte("garbage garbage garbage garbage garbage"), 0o644)
	}
	s = open(t, dir, Options{})
	if !s.Stats().AcksLost {
		t.Fatal("AcksLost not reported")
	}
	if got := readAll(t, s); !slices.Equal(seqs(got), span1(1, 10)) {
		t.Fatalf("read %v", seqs(got))
	}
}
