package spool

import (
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"
)

// simFS is an in-memory file system that can lose power. Each file keeps
// what its last fsync made durable and the writes since; each directory
// entry is durable once SyncDir ran after it was made. powerLoss keeps the
// durable state and a random part of the rest: writes applied in order up to
// a random point with the last one torn, or scattered (each one applied or
// not, torn or not), file creations and removals not yet synced undone.
type simFS struct {
	mu      sync.Mutex
	files   map[string]*simInode // the namespace now
	durable map[string]*simInode // the namespace as of the last SyncDir
	locks   map[string]bool
}

type simInode struct {
	data    []byte
	synced  []byte
	pending []simOp // since the last fsync
}

// simOp is a write of data at off, or, when trunc, a truncate to off.
type simOp struct {
	off   int64
	data  []byte
	trunc bool
}

func newSimFS() *simFS {
	return &simFS{files: map[string]*simInode{}, durable: map[string]*simInode{}, locks: map[string]bool{}}
}

func (f *simFS) MkdirAll(string) error { return nil }

func (f *simFS) OpenFile(dir, name string, flag int) (File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ino := f.files[name]
	if ino == nil {
		if flag&os.O_CREATE == 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		ino = &simInode{}
		f.files[name] = ino
	}
	if flag&os.O_TRUNC != 0 {
		ino.apply(simOp{trunc: true})
	}
	return &simHandle{fs: f, ino: ino, name: name}, nil
}

func (f *simFS) Remove(dir, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files[name] == nil {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	delete(f.files, name)
	return nil
}

func (f *simFS) ReadDir(string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var names []string
	for n := range f.files {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

func (f *simFS) SyncDir(string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.durable = map[string]*simInode{}
	for n, ino := range f.files {
		f.durable[n] = ino
	}
	return nil
}

func (f *simFS) Lock(dir, name string) (io.Closer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.locks[name] {
		return nil, fmt.Errorf("%w: sim", ErrLocked)
	}
	f.locks[name] = true
	return closerFunc(func() error {
		f.mu.Lock()
		delete(f.locks, name)
		f.mu.Unlock()
		return nil
	}), nil
}

type closerFunc func() error

func (c closerFunc) Close() error { return c() }

// powerLoss replaces every file by what a machine crash could leave of it.
func (f *simFS) powerLoss(rng *rand.Rand) {
	f.mu.Lock()
	defer f.mu.Unlock()
	scatter := rng.IntN(2) == 0
	files := map[string]*simInode{}
	for name, ino := range f.durable {
		data := slices.Clone(ino.synced)
		ops := ino.pending
		keep := rng.IntN(len(ops) + 1)
		for i, op := range ops {
			if scatter && rng.IntN(2) == 0 || !scatter && i >= keep {
				continue
			}
			if !op.trunc && (scatter && rng.IntN(4) == 0 || !scatter && i == keep-1) {
				op.data = op.data[:rng.IntN(len(op.data)+1)] // torn
			}
			data = op.applyTo(data)
		}
		files[name] = &simInode{data: data, synced: slices.Clone(data)}
	}
	f.files = files
	f.durable = map[string]*simInode{}
	for n, ino := range files {
		f.durable[n] = ino
	}
	f.locks = map[string]bool{}
}

func (op simOp) applyTo(data []byte) []byte {
	if op.trunc {
		if op.off <= int64(len(data)) {
			return data[:op.off]
		}
		return append(data, make([]byte, op.off-int64(len(data)))...)
	}
	if end := op.off + int64(len(op.data)); end > int64(len(data)) {
		data = append(data, make([]byte, end-int64(len(data)))...)
	}
	copy(data[op.off:], op.data)
	return data
}

func (ino *simInode) apply(op simOp) {
	if !op.trunc {
		op.data = slices.Clone(op.data)
	}
	ino.data = op.applyTo(ino.data)
	ino.pending = append(ino.pending, op)
}

type simHandle struct {
	fs     *simFS
	ino    *simInode
	name   string
	closed bool
}

func (h *simHandle) ReadAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.closed {
		return 0, fs.ErrClosed
	}
	if off >= int64(len(h.ino.data)) {
		return 0, io.EOF
	}
	n := copy(p, h.ino.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

func (h *simHandle) WriteAt(p []byte, off int64) (int, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.closed {
		return 0, fs.ErrClosed
	}
	h.ino.apply(simOp{off: off, data: p})
	return len(p), nil
}

func (h *simHandle) Sync() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	if h.closed {
		return fs.ErrClosed
	}
	h.ino.synced = slices.Clone(h.ino.data)
	h.ino.pending = nil
	return nil
}

func (h *simHandle) Truncate(size int64) error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	h.ino.apply(simOp{off: size, trunc: true})
	return nil
}

func (h *simHandle) Stat() (fs.FileInfo, error) {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	return simInfo{name: h.name, size: int64(len(h.ino.data))}, nil
}

func (h *simHandle) Close() error {
	h.fs.mu.Lock()
	defer h.fs.mu.Unlock()
	h.closed = true
	return nil
}

type simInfo struct {
	name string
	size int64
}

func (i simInfo) Name() string       { return i.name }
func (i simInfo) Size() int64        { return i.size }
func (i simInfo) Mode() fs.FileMode  { return 0o644 }
func (i simInfo) ModTime() time.Time { return time.Time{} }
func (i simInfo) IsDir() bool        { return false }
func (i simInfo) Sys() any           { return nil }
