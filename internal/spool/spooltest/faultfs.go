package spooltest

import (
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"

	"github.com/streamll/streamll-go/internal/spool"
)

// Op names a file operation FaultFS can fail.
type Op uint8

// The operations.
const (
	Write    Op = iota // File.WriteAt
	Sync               // File.Sync
	Truncate           // File.Truncate
	Create             // FS.OpenFile with os.O_CREATE of a file that does not exist
	Open               // FS.OpenFile of any file
	Read               // File.ReadAt
	Remove             // FS.Remove
	SyncDir            // FS.SyncDir
	numOps
)

// FaultFS is a spool.FS that forwards to another and fails the operations it
// is told to. Safe for concurrent use; the spool's background goroutine
// calls it too.
type FaultFS struct {
	base spool.FS

	mu    sync.Mutex
	rules [numOps][]rule
	space int64 // bytes writes may still add; < 0: no limit
	calls [numOps]int
}

type rule struct {
	match string // a substring of the file name; "" matches all
	err   error
}

// New returns a FaultFS over base (nil: spool.OSFS) that fails nothing yet.
func New(base spool.FS) *FaultFS {
	if base == nil {
		base = spool.OSFS{}
	}
	return &FaultFS{base: base, space: -1}
}

// Fail makes op fail with err on files whose name contains match ("" for
// every file), until Clear.
func (f *FaultFS) Fail(op Op, match string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules[op] = append(f.rules[op], rule{match, err})
}

// SpaceLeft emulates a disk with n bytes free: a write that would pass it
// writes what fits and fails with ENOSPC, as write(2) on a full file system
// does. n < 0 removes the limit.
func (f *FaultFS) SpaceLeft(n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.space = n
}

// Clear removes every rule and the space limit: the disk works again.
func (f *FaultFS) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = [numOps][]rule{}
	f.space = -1
}

// Calls returns how many times op was attempted.
func (f *FaultFS) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *FaultFS) check(op Op, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	for _, r := range f.rules[op] {
		if strings.Contains(name, r.match) {
			return &fs.PathError{Op: opNames[op], Path: name, Err: r.err}
		}
	}
	return nil
}

var opNames = [numOps]string{"write", "fsync", "truncate", "create", "open", "read", "remove", "fsync dir"}

// MkdirAll implements spool.FS.
func (f *FaultFS) MkdirAll(dir string) error { return f.base.MkdirAll(dir) }

// OpenFile implements spool.FS.
func (f *FaultFS) OpenFile(dir, name string, flag int) (spool.File, error) {
	if err := f.check(Open, name); err != nil {
		return nil, err
	}
	if flag&os.O_CREATE != 0 {
		if _, err := os.Stat(dir + "/" + name); err != nil {
			if err := f.check(Create, name); err != nil {
				return nil, err
			}
		}
	}
	file, err := f.base.OpenFile(dir, name, flag)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f, name: name}, nil
}

// Remove implements spool.FS.
func (f *FaultFS) Remove(dir, name string) error {
	if err := f.check(Remove, name); err != nil {
		return err
	}
	return f.base.Remove(dir, name)
}

// ReadDir implements spool.FS.
func (f *FaultFS) ReadDir(dir string) ([]string, error) { return f.base.ReadDir(dir) }

// SyncDir implements spool.FS.
func (f *FaultFS) SyncDir(dir string) error {
	if err := f.check(SyncDir, dir); err != nil {
		return err
	}
	return f.base.SyncDir(dir)
}

// Lock implements spool.FS.
func (f *FaultFS) Lock(dir, name string) (io.Closer, error) { return f.base.Lock(dir, name) }

type faultFile struct {
	spool.File
	fs   *FaultFS
	name string
}

func (f *faultFile) WriteAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(Write, f.name); err != nil {
		return 0, err
	}
	f.fs.mu.Lock()
	space := f.fs.space
	if space >= 0 {
		f.fs.space = max(0, space-int64(len(p)))
	}
	f.fs.mu.Unlock()
	if space >= 0 && int64(len(p)) > space {
		n, err := f.File.WriteAt(p[:space], off)
		if err == nil {
			err = &fs.PathError{Op: "write", Path: f.name, Err: enospc}
		}
		return n, err
	}
	return f.File.WriteAt(p, off)
}

func (f *faultFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.check(Read, f.name); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *faultFile) Sync() error {
	if err := f.fs.check(Sync, f.name); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultFile) Truncate(size int64) error {
	if err := f.fs.check(Truncate, f.name); err != nil {
		return err
	}
	return f.File.Truncate(size)
}
