package spool

import "errors"

// Sentinel errors. Every error the package returns wraps one of them (and,
// for a disk error, also the operating system's error, so that
// errors.Is(err, syscall.ENOSPC) works too).
var (
	// ErrLocked: another Spool, in this process or another, holds the
	// directory's lock file.
	ErrLocked = errors.New("spool: directory is locked by another spool")

	// ErrFull: the record does not fit within Options.MaxBytes, even after
	// reclaiming the segments whose records are all acknowledged. The caller
	// applies its overflow policy; the spool is unchanged.
	ErrFull = errors.New("spool: full")

	// ErrTooLarge: a payload is larger than Options.MaxRecordBytes. Retrying
	// cannot help.
	ErrTooLarge = errors.New("spool: record too large")

	// ErrIO: the file system failed (ENOSPC, EIO, EROFS, ...). The spool
	// stays usable: the next call tries again.
	ErrIO = errors.New("spool: disk error")

	// ErrFormat: a file in the directory was written by an incompatible
	// version of the spool. Open refuses rather than overwrite it.
	ErrFormat = errors.New("spool: unknown format")

	// ErrInvalidOptions: Options failed validation.
	ErrInvalidOptions = errors.New("spool: invalid options")

	// ErrUnknownSeq: Ack named a sequence number the spool never assigned.
	ErrUnknownSeq = errors.New("spool: unknown sequence number")

	// ErrClosed: the Spool was closed.
	ErrClosed = errors.New("spool: closed")
)
