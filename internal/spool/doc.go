// Package spool is a crash-durable write-ahead log for a sink: the host
// appends every event it accepts (as an opaque payload, the event's wire
// JSON), reads them back in order to deliver them, and acknowledges what was
// delivered. After a crash, a new Spool on the same directory yields again,
// oldest first, every record not known acknowledged: at least once, with
// duplicates possible and loss not, within the limits of the fsync policy
// below.
//
// # Driving it
//
// One goroutine (the sink's host) calls Append, Next, Ack, AckRange, Rewind,
// DropOldest, Sync and Close; Durable and Stats may be called from anywhere.
// The spool starts one goroutine of its own, for the periodic fsync and the
// periodic write of the acknowledgements, and stops it in Close.
//
//	s, err := spool.Open(dir, spool.Options{MaxBytes: 512 << 20})
//	first, n, err := s.Append(payloads...)  // seq first .. first+n-1
//	recs, err := s.Next(recs[:0], 100, 1<<20)
//	s.AckRange(recs[0].Seq, recs[len(recs)-1].Seq) // or s.Ack(seqs...)
//	err = s.Sync()                          // a flush barrier
//
// Next moves a read cursor and never yields a record twice unless Rewind
// moves the cursor back, so the host keeps what it read until it
// acknowledges it; memory holds only that window, the rest stays on disk.
//
// # Layout
//
// A spool directory holds:
//
//	LOCK                          flock(2)ed by the Spool that has it open;
//	                              holds its process ID
//	00000000000000000001.seg      segment files, named for the sequence
//	00000000000000004097.seg      number of their first record
//	acks-0, acks-1                the acknowledgements, written in turn
//
// A segment is a 16-byte header ("SLSPOOL", a version byte, the first
// sequence number) and records back to back. A record is a 28-byte header
// (a magic number, a CRC-32C, the payload length, the sequence number, the
// append time in Unix nanoseconds) and the payload; the CRC covers
// everything after itself, the length included. Sequence numbers are
// consecutive from 1 and never reused. The spool starts a new segment past
// Options.SegmentBytes and deletes a sealed segment once every record in it
// is acknowledged. An acknowledgement file holds a generation, a floor (every
// number up to it acknowledged) and the acknowledged ranges above the floor,
// under a CRC; Open takes the valid one with the higher generation, so a
// write torn by a crash leaves the previous one in force.
//
// # Recovery
//
// Open verifies every record's CRC. Bytes at the end of the last segment
// that hold no valid record are a torn tail (an Append the crash
// interrupted, which never returned) and are truncated; Stats.TornBytes
// counts them. Invalid bytes followed by a valid record are corruption:
// Open finds the next record by its magic and CRC, skips the bad bytes,
// and counts the sequence numbers they swallowed (those between the valid
// records around them, not already acknowledged) in Stats.CorruptRecords,
// and logs them, so that the host reports them as lost; it then treats
// them as acknowledged so that nothing waits for them. A missing segment is
// counted the same way. A file of an unknown format version is refused with
// ErrFormat, never overwritten.
//
// # Guarantees under each policy
//
// Append writes with one write(2) per batch, straight to the kernel: once it
// returns, the records are in the page cache and survive a crash of the
// process (kill -9, a panic, the OOM killer) under every policy. What
// survives a crash of the machine (power loss, kernel panic, a hypervisor
// reset) depends on the policy, and Durable says which records it covers:
//
//   - SyncPeriodic (default, every 200 ms): what was appended before the
//     last completed fsync. A machine crash loses at most the records of
//     the last period and of an fsync in progress. Sync fsyncs at once,
//     for a flush barrier.
//   - SyncEveryAppend: every record whose Append returned nil. Costs one
//     fsync per Append call (about 0.4 to 1 ms here), so batch.
//   - SyncNever: nothing is promised; the kernel writes back when it likes
//     (typically within 30 s) and a machine crash can lose or tear any of
//     it, and even the files themselves. Durable then only means "written
//     to the kernel", which is what survives kill -9.
//
// Acknowledgements are written every SyncPeriod, in Sync and in Close
// (fsynced, except under SyncNever). A crash loses at most those of the
// last period: their records are yielded again, never lost.
//
// After a failed fsync the kernel may have dropped the dirty pages it could
// not write, and a later successful fsync of the same file proves nothing
// about them. So the spool treats the records written since the last good
// fsync as not durable (Durable stays below them until they are
// acknowledged) and starts a new segment for what comes next.
//
// # Full disks and disk errors
//
// Append refuses with ErrFull a record that would make the segment files
// pass Options.MaxBytes, after reclaiming what acknowledgements allow. A file
// system error (ENOSPC, EIO, EROFS) is returned wrapping ErrIO and the
// system's error; the records written whole before it stay, a partial one
// is cut off, and the next call tries again, so the spool works again as
// soon as the disk does. Nothing panics. No call waits for anything but the
// file system; an fsync that never returns (a hung disk) is the one thing
// that can block, as for any program.
//
// Power loss is tested on an in-memory file system that keeps only what
// fsync and a directory fsync made durable plus a random part of the rest;
// kill -9 by killing a child process at random moments; full disks on a
// size-limited tmpfs and a loop-mounted ext4 image; other disk errors
// through the FS seam (package spooltest).
package spool
