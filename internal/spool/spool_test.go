package spool

import (
	"errors"
	"slices"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{SegmentBytes: 4 << 10})
	appendN(t, s, 0, 500)
	got := readAll(t, s)
	if want := span1(1, 500); !slices.Equal(seqs(got), want) {
		t.Fatalf("read %v", seqs(got))
	}
	checkPayloads(t, got)
	if st := s.Stats(); st.Records != 500 || st.Segments < 10 || st.NextSeq != 501 {
		t.Fatalf("stats %+v", st)
	}
	if err := s.AckRange(1, 250); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = open(t, dir, Options{SegmentBytes: 4 << 10})
	got = readAll(t, s)
	if want := span1(251, 500); !slices.Equal(seqs(got), want) {
		t.Fatalf("after reopen read %v", seqs(got))
	}
	checkPayloads(t, got)
	if _, _, err := s.Append(payload(500)); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Next(nil, 10, 0)
	if len(got) != 1 || got[0].Seq != 501 {
		t.Fatalf("after append read %v", seqs(got))
	}
	if err := s.Ack(0); !errors.Is(err, ErrUnknownSeq) {
		t.Fatalf("Ack(0) = %v", err)
	}
}
