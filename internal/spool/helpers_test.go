package spool

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
	"time"
)

// open opens a spool in dir and closes it when the test ends.
func open(t *testing.T, dir string, opts Options) *Spool {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// payload is the deterministic payload of record i.
func payload(i int) []byte {
	return []byte(fmt.Sprintf(`{"event_id":"ev-%06d","data":{"pad":"%s"}}`, i, bytes.Repeat([]byte{'a' + byte(i%26)}, i%97)))
}

// appendN appends payload(from) .. payload(from+n-1), one Append each.
func appendN(t *testing.T, s *Spool, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		if _, k, err := s.Append(payload(i)); err != nil || k != 1 {
			t.Fatalf("Append %d: n=%d err=%v", i, k, err)
		}
	}
}

// readAll reads every record left, in batches of 7.
func readAll(t *testing.T, s *Spool) []Record {
	t.Helper()
	var out []Record
	for {
		n := len(out)
		var err error
		out, err = s.Next(out, 7, 0)
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(out) == n {
			return out
		}
	}
}

// seqs returns the sequence numbers of recs.
func seqs(recs []Record) []uint64 {
	out := make([]uint64, len(recs))
	for i, r := range recs {
		out[i] = r.Seq
	}
	return out
}

// checkPayloads checks that every record carries payload(seq-1), as appendN
// from 0 numbers them.
func checkPayloads(t *testing.T, recs []Record) {
	t.Helper()
	for _, r := range recs {
		if want := payload(int(r.Seq - 1)); !bytes.Equal(r.Payload, want) {
			t.Fatalf("record %d: payload %q, want %q", r.Seq, r.Payload, want)
		}
	}
}

func span1(from, to uint64) []uint64 {
	var out []uint64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func without(all []uint64, drop ...uint64) []uint64 {
	return slices.DeleteFunc(slices.Clone(all), func(x uint64) bool { return slices.Contains(drop, x) })
}

// segFiles lists the segment files in dir, oldest first.
func segFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*"+segSuffix))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(m)
	return m
}

// recordOffsets returns the offset of every record in a segment file.
func recordOffsets(t *testing.T, path string) []int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for off := int64(segHeaderSize); off+recHeaderSize <= int64(len(b)); {
		h, ok := parseHeader(b[off:])
		if !ok {
			t.Fatalf("%s: no record at %d", path, off)
		}
		offs = append(offs, off)
		off += recHeaderSize + int64(h.length)
	}
	return offs
}

// fakeClock is a settable clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// crash abandons the spool as a killed process would: it stops the
// background goroutine and closes the files, writing and syncing nothing.
func (s *Spool) crash() {
	s.closed = true
	close(s.stop)
	<-s.done
	s.release()
}
