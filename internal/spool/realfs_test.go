package spool_test

import (
	"errors"
	"syscall"
	"testing"

	"github.com/streamll/streamll-go/internal/spool"
	"github.com/streamll/streamll-go/internal/spool/spooltest"
)

// TestRealDiskFull fills a real, small file system (a tmpfs, and a
// loop-mounted ext4 image) before the spool's own MaxBytes: Append fails
// with ENOSPC, nothing is lost or corrupt, and once acknowledged segments
// are reclaimed the spool appends again.
func TestRealDiskFull(t *testing.T) {
	for _, fsys := range []struct {
		name  string
		mount func(testing.TB, int64) string
	}{
		{"tmpfs", spooltest.Tmpfs},
		{"ext4", spooltest.Ext4},
	} {
		t.Run(fsys.name, func(t *testing.T) {
			mnt := fsys.mount(t, 2<<20)
			dir := mnt + "/spool"
			opts := spool.Options{MaxBytes: 64 << 20, SegmentBytes: 256 << 10}
			s := mustOpen(t, dir, opts)
			n := 0
			var err error
			for n < 1_000_000 {
				var k int
				_, k, err = s.Append(batch(n, 50)...)
				n += k
				if err != nil {
					break
				}
			}
			if !errors.Is(err, spool.ErrIO) || !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("after %d records: %v, want ENOSPC", n, err)
			}
			// Single records may still fit in the last block.
			for i, err := 0, error(nil); i < 10_000 && err == nil; i++ {
				var k int
				_, k, err = s.Append(rec(n))
				n += k
			}
			st := s.Stats()
			if !st.Failing || st.Records != uint64(n) {
				t.Fatalf("stats on a full disk %+v", st)
			}
			t.Logf("%s full after %d records, %d bytes in %d segments", fsys.name, n, st.Bytes, st.Segments)
			for i := 0; i < 100; i++ { // keeps failing, never blocks
				if _, k, err := s.Append(rec(n)); k != 0 || !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("Append on a full disk: %d %v", k, err)
				}
			}
			if got := drain(t, s); len(got) != n {
				t.Fatalf("read %d of %d", len(got), n)
			}

			// Deliver half: the space comes back.
			half := n / 2
			if err := s.AckRange(1, uint64(half)); err != nil {
				t.Fatal(err)
			}
			_, k, err := s.Append(batch(n, 50)...)
			if err != nil || k != 50 {
				t.Fatalf("Append after reclaiming: %d %v (stats %+v)", k, err, s.Stats())
			}
			n += k
			if st := s.Stats(); st.Failing {
				t.Fatalf("still failing %+v", st)
			}
			s.Close()
			s2 := mustOpen(t, dir, opts)
			if st := s2.Stats(); st.Records != uint64(n-half) || st.CorruptRecords != 0 || st.CorruptBytes != 0 {
				t.Fatalf("after reopen %+v, want %d records", st, n-half)
			}
			if got := drain(t, s2); len(got) != n-half || got[0] != uint64(half+1) {
				t.Fatalf("after reopen read %d records from %d", len(got), got[0])
			}
		})
	}
}

// TestReadOnlyMount opens a spool on a file system mounted read-only: Open
// fails with EROFS, and works once it is writable again.
func TestReadOnlyMount(t *testing.T) {
	mnt := spooltest.Tmpfs(t, 1<<20)
	dir := mnt + "/spool"
	s := mustOpen(t, dir, spool.Options{})
	s.Append(batch(0, 10)...)
	s.Close()
	spooltest.Remount(t, mnt, "ro")
	if _, err := spool.Open(dir, spool.Options{}); !errors.Is(err, spool.ErrIO) || !errors.Is(err, syscall.EROFS) {
		t.Fatalf("Open on a read-only mount: %v", err)
	}
	spooltest.Remount(t, mnt, "rw")
	s = mustOpen(t, dir, spool.Options{})
	if got := drain(t, s); len(got) != 10 {
		t.Fatalf("read %d", len(got))
	}
}
