package spool_test

import (
	"errors"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/streamll/streamll-go/internal/spool"
	"github.com/streamll/streamll-go/internal/spool/spooltest"
)

func rec(i int) []byte { return fmt.Appendf(nil, `{"event_id":"e%05d","pad":"0123456789abcdef"}`, i) }

func batch(from, n int) [][]byte {
	var b [][]byte
	for i := from; i < from+n; i++ {
		b = append(b, rec(i))
	}
	return b
}

// drain reads every record left and checks that record k carries rec(k-1).
func drain(t *testing.T, s *spool.Spool) []uint64 {
	t.Helper()
	var all []spool.Record
	for {
		n := len(all)
		var err error
		if all, err = s.Next(all, 100, 0); err != nil {
			t.Fatalf("Next: %v", err)
		}
		if len(all) == n {
			break
		}
	}
	var seqs []uint64
	for _, r := range all {
		if want := rec(int(r.Seq - 1)); !slices.Equal(r.Payload, want) {
			t.Fatalf("record %d = %q, want %q", r.Seq, r.Payload, want)
		}
		seqs = append(seqs, r.Seq)
	}
	return seqs
}

func seqRange(from, to uint64) []uint64 {
	var out []uint64
	for q := from; q <= to; q++ {
		out = append(out, q)
	}
	return out
}

func mustOpen(t *testing.T, dir string, opts spool.Options) *spool.Spool {
	t.Helper()
	s, err := spool.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// reopen closes s and opens dir again without faults, checking that it
// holds exactly want and no corruption.
func reopen(t *testing.T, s *spool.Spool, dir string, want []uint64) {
	t.Helper()
	s.Close()
	s2 := mustOpen(t, dir, spool.Options{})
	if got := drain(t, s2); !slices.Equal(got, want) {
		t.Fatalf("after reopen: %v\nwant %v", got, want)
	}
	if st := s2.Stats(); st.CorruptRecords != 0 {
		t.Fatalf("after reopen: %+v", st)
	}
}

func TestDiskFullCutsAWrite(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, Sync: spool.SyncNever})
	if _, _, err := s.Append(batch(0, 10)...); err != nil {
		t.Fatal(err)
	}
	// Room for two and a half records: the write of the next five is cut.
	ffs.SpaceLeft(int64(2*len(rec(0)) + 2*28 + 30))
	first, n, err := s.Append(batch(10, 5)...)
	if !errors.Is(err, spool.ErrIO) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append on a full disk: %v", err)
	}
	if first != 11 || n != 2 {
		t.Fatalf("Append on a full disk wrote %d from %d, want the 2 that fit", n, first)
	}
	st := s.Stats()
	if !st.Failing || st.DiskErrors == 0 || st.NextSeq != 13 {
		t.Fatalf("stats %+v", st)
	}
	if _, _, err := s.Append(rec(12)); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append while still full: %v", err)
	}

	ffs.Clear() // space comes back
	if first, n, err := s.Append(batch(12, 3)...); err != nil || first != 13 || n != 3 {
		t.Fatalf("Append after the disk recovered: %d %d %v", first, n, err)
	}
	if st := s.Stats(); st.Failing {
		t.Fatalf("still failing: %+v", st)
	}
	if got := drain(t, s); !slices.Equal(got, seqRange(1, 15)) {
		t.Fatalf("read %v", got)
	}
	reopen(t, s, dir, seqRange(1, 15))
}

func TestDiskFullAndTruncateFails(t *testing.T) {
	// The partial record cannot be cut off: the spool leaves that segment
	// and starts a new one; recovery skips the garbage without losing a
	// record.
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, Sync: spool.SyncNever})
	s.Append(batch(0, 4)...)
	ffs.SpaceLeft(int64(len(rec(0)) + 28 + 10))
	ffs.Fail(spooltest.Truncate, "", syscall.EIO)
	if _, n, err := s.Append(batch(4, 3)...); n != 1 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Append: %d %v", n, err)
	}
	ffs.Clear()
	if first, n, err := s.Append(batch(5, 3)...); err != nil || first != 6 || n != 3 {
		t.Fatalf("Append after recovery: %d %d %v", first, n, err)
	}
	if st := s.Stats(); st.Segments != 2 {
		t.Fatalf("want a new segment, stats %+v", st)
	}
	s.Close()
	s2 := mustOpen(t, dir, spool.Options{})
	if got := drain(t, s2); !slices.Equal(got, seqRange(1, 8)) {
		t.Fatalf("read %v", got)
	}
	if st := s2.Stats(); st.CorruptRecords != 0 || st.CorruptBytes == 0 {
		t.Fatalf("want garbage skipped, no record lost: %+v", st)
	}
}

func TestFsyncFails(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, SyncPeriod: 1 << 40})
	s.Append(batch(0, 5)...)
	if err := s.Sync(); err != nil || s.Durable() != 5 {
		t.Fatalf("Sync: %v, Durable %d", err, s.Durable())
	}
	s.Append(batch(5, 5)...)
	ffs.Fail(spooltest.Sync, ".seg", syscall.EIO)
	if err := s.Sync(); !errors.Is(err, spool.ErrIO) || !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync with a failing fsync: %v", err)
	}
	if d := s.Durable(); d != 5 {
		t.Fatalf("Durable = %d after a failed fsync, want 5", d)
	}
	ffs.Clear()
	// A later fsync of the same file proves nothing about 6..10: the
	// kernel may have dropped their pages. New records go to a new
	// segment and become durable; 6..10 stay uncertain until delivered.
	s.Append(batch(10, 5)...)
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Segments != 2 || st.SyncErrors != 1 || s.Durable() != 5 {
		t.Fatalf("after recovery: Durable %d, stats %+v", s.Durable(), st)
	}
	s.AckRange(6, 10)
	if d := s.Durable(); d != 15 {
		t.Fatalf("Durable = %d once the uncertain records are acknowledged, want 15", d)
	}
	reopen(t, s, dir, append(seqRange(1, 5), seqRange(11, 15)...))
}

func TestFsyncFailsEveryAppend(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, Sync: spool.SyncEveryAppend})
	if _, _, err := s.Append(batch(0, 3)...); err != nil || s.Durable() != 3 {
		t.Fatalf("Append: %v, Durable %d", err, s.Durable())
	}
	ffs.Fail(spooltest.Sync, ".seg", syscall.EIO)
	first, n, err := s.Append(batch(3, 3)...)
	if !errors.Is(err, syscall.EIO) || first != 4 || n != 3 || s.Durable() != 3 {
		t.Fatalf("Append with a failing fsync: %d %d %v, Durable %d", first, n, err, s.Durable())
	}
	ffs.Clear()
	if _, _, err := s.Append(batch(6, 1)...); err != nil {
		t.Fatal(err)
	}
	reopen(t, s, dir, seqRange(1, 7))
}

func TestSegmentCreateFails(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, SegmentBytes: 4 << 10})
	ffs.Fail(spooltest.Create, ".seg", syscall.EROFS)
	var n int
	var err error
	for i := 0; err == nil; i++ {
		var k int
		_, k, err = s.Append(rec(i))
		n += k
	}
	if !errors.Is(err, syscall.EROFS) || n < 10 {
		t.Fatalf("after %d records: %v", n, err)
	}
	ffs.Clear()
	if _, _, err := s.Append(batch(n, 5)...); err != nil {
		t.Fatalf("Append after the disk recovered: %v", err)
	}
	reopen(t, s, dir, seqRange(1, uint64(n+5)))
}

func TestAckWriteFails(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, SyncPeriod: 1 << 40})
	s.Append(batch(0, 10)...)
	drain(t, s)
	s.AckRange(1, 4)
	ffs.Fail(spooltest.Write, "acks", syscall.EIO)
	if err := s.Sync(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync with failing acknowledgement writes: %v", err)
	}
	ffs.Clear()
	if err := s.Sync(); err != nil {
		t.Fatal(err)
	}
	reopen(t, s, dir, seqRange(5, 10))
}

func TestRemoveFails(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	now := time.Unix(1e9, 0)
	clock := func() time.Time { return now }
	s := mustOpen(t, dir, spool.Options{FS: ffs, SegmentBytes: 4 << 10, SyncPeriod: time.Hour, Now: clock})
	s.Append(batch(0, 300)...)
	before := s.Stats()
	ffs.Fail(spooltest.Remove, "", syscall.EIO)
	s.AckRange(1, 300)
	if st := s.Stats(); st.Segments != before.Segments || st.DiskErrors == 0 {
		t.Fatalf("stats %+v", st)
	}
	ffs.Clear()
	s.Sync()
	if st := s.Stats(); st.Segments == 1 {
		t.Fatalf("retried within a SyncPeriod of the failure: %+v", st)
	}
	now = now.Add(time.Hour) // any call retries, at most once a SyncPeriod
	s.Sync()
	if st := s.Stats(); st.Segments != 1 {
		t.Fatalf("segments not reclaimed after the disk recovered: %+v", st)
	}
}

func TestReadFails(t *testing.T) {
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs})
	s.Append(batch(0, 10)...)
	s.Close()

	ffs.Fail(spooltest.Read, ".seg", syscall.EIO)
	if _, err := spool.Open(dir, spool.Options{FS: ffs}); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Open with failing reads: %v", err)
	}
	ffs.Clear()
	s = mustOpen(t, dir, spool.Options{FS: ffs})
	got, err := s.Next(nil, 5, 0)
	if err != nil || len(got) != 5 {
		t.Fatalf("Next: %d %v", len(got), err)
	}
	s.Append(batch(10, 10)...)
	ffs.Fail(spooltest.Read, ".seg", syscall.EIO)
	// What Open read ahead still comes; the rest fails, and the cursor
	// stays where it was.
	got, err = s.Next(got, 100, 0)
	if !errors.Is(err, syscall.EIO) || len(got) != 10 {
		t.Fatalf("Next with failing reads: %d records, %v", len(got), err)
	}
	ffs.Clear()
	if got := drain(t, s); !slices.Equal(got, seqRange(11, 20)) {
		t.Fatalf("read %v", got)
	}
}

func TestReadOnlyFileSystem(t *testing.T) {
	// Every write fails, as on a file system remounted read-only after an
	// error: nothing panics, nothing blocks, and it all works again after.
	dir := t.TempDir()
	ffs := spooltest.New(nil)
	s := mustOpen(t, dir, spool.Options{FS: ffs, SegmentBytes: 4 << 10})
	s.Append(batch(0, 5)...)
	for _, op := range []spooltest.Op{spooltest.Write, spooltest.Sync, spooltest.Truncate, spooltest.Create, spooltest.Remove, spooltest.SyncDir} {
		ffs.Fail(op, "", syscall.EROFS)
	}
	for i := 0; i < 200; i++ {
		if _, n, err := s.Append(rec(5 + i)); n != 0 || !errors.Is(err, syscall.EROFS) {
			t.Fatalf("Append on a read-only file system: %d %v", n, err)
		}
	}
	if err := s.Sync(); !errors.Is(err, spool.ErrIO) {
		t.Fatalf("Sync: %v", err)
	}
	if got := drain(t, s); !slices.Equal(got, seqRange(1, 5)) {
		t.Fatalf("reading still works: %v", got)
	}
	ffs.Clear()
	if _, _, err := s.Append(batch(5, 200)...); err != nil {
		t.Fatal(err)
	}
	reopen(t, s, dir, seqRange(1, 205))
}
