package spool

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is the file system seam: the few operations the spool performs on its
// directory. OSFS is the real one; tests wrap it to inject faults (ENOSPC,
// EIO, a failing fsync or rename) or replace it to simulate power loss.
//
// Names are slash-free base names inside the directory given to Open, joined
// by the implementation with the directory's path.
type FS interface {
	// MkdirAll creates dir and its parents if they do not exist.
	MkdirAll(dir string) error
	// OpenFile opens dir/name as os.OpenFile does.
	OpenFile(dir, name string, flag int) (File, error)
	// Remove deletes dir/name.
	Remove(dir, name string) error
	// ReadDir lists the names of dir's entries.
	ReadDir(dir string) ([]string, error)
	// SyncDir makes dir's entries (files created, renamed, removed)
	// durable.
	SyncDir(dir string) error
	// Lock takes an exclusive lock on dir/name without waiting. When
	// another holder has it, the error wraps ErrLocked. Closing the
	// returned Closer releases the lock; so does the process's end.
	Lock(dir, name string) (io.Closer, error)
}

// File is an open file. *os.File implements it.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Sync flushes the file's data and metadata to stable storage (fsync).
	Sync() error
	Truncate(size int64) error
	Stat() (fs.FileInfo, error)
	Close() error
}

// OSFS is the operating system's file system.
type OSFS struct{}

// MkdirAll implements FS.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// OpenFile implements FS.
func (OSFS) OpenFile(dir, name string, flag int) (File, error) {
	f, err := os.OpenFile(filepath.Join(dir, name), flag, 0o644)
	if err != nil {
		return nil, err // a nil *os.File must not become a non-nil File
	}
	return f, nil
}

// Remove implements FS.
func (OSFS) Remove(dir, name string) error { return os.Remove(filepath.Join(dir, name)) }

// ReadDir implements FS.
func (OSFS) ReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}

// SyncDir implements FS.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

// Lock implements FS with flock(2) on dir/name, which it creates if needed
// and into which it writes the holder's process ID for the error a second
// Open reports. flock locks belong to the open file, so a second Open in the
// same process conflicts as one in another process does.
func (OSFS) Lock(dir, name string) (io.Closer, error) { return lockFile(filepath.Join(dir, name)) }
