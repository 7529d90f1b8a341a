// Package spooltest helps tests put a spool on a failing disk: FaultFS wraps
// a spool.FS and makes chosen operations fail (ENOSPC, EIO, EROFS, a write
// cut short by a full disk), and Tmpfs mounts a real, size-limited tmpfs
// where the machine allows it (root on Linux), so that a spool fills a real
// file system.
package spooltest
