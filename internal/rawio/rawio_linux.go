//go:build linux

package rawio

import (
	"io"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// Wrap returns nc with its Read and Write made as raw system calls, if it is
// a TCP or Unix socket; otherwise nc itself. Everything else (deadlines,
// Close, addresses) is nc's.
func Wrap(nc net.Conn) net.Conn {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return nc
	}
	rc, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return nc
	}
	return &conn{Conn: nc, rc: rc}
}

type conn struct {
	net.Conn
	rc syscall.RawConn
}

// Read reads what the socket holds, waiting on the poller (and the read
// deadline) while it holds nothing. It returns io.EOF once the peer has
// closed its side, like a net.Conn.
func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var (
		n     int
		errno syscall.Errno
	)
	err := c.rc.Read(func(fd uintptr) bool {
		n, errno = sys(syscall.SYS_READ, fd, p)
		return errno != syscall.EAGAIN // else wait until readable
	})
	switch {
	case err != nil:
		return 0, c.opError("read", err)
	case errno != 0:
		return 0, c.opError("read", os.NewSyscallError("read", errno))
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Write writes all of p, waiting on the poller (and the write deadline)
// whenever the socket's buffer is full.
func (c *conn) Write(p []byte) (int, error) {
	var (
		n     int
		errno syscall.Errno
	)
	err := c.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			w, e := sys(syscall.SYS_WRITE, fd, p[n:])
			switch e {
			case 0:
				n += w
			case syscall.EAGAIN:
				return false // wait until writable
			default:
				errno = e
				return true
			}
		}
		return true
	})
	switch {
	case err != nil:
		return n, c.opError("write", err)
	case errno != 0:
		return n, c.opError("write", os.NewSyscallError("write", errno))
	}
	return n, nil
}

// sys makes the raw system call trap (read or write) on fd with the bytes
// of p, which is not empty, again as long as a signal interrupts it.
func sys(trap, fd uintptr, p []byte) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall(trap, fd, uintptr(unsafe.Pointer(unsafe.SliceData(p))), uintptr(len(p)))
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// opError wraps err as package net does, so that callers telling timeouts,
// closed connections and resets apart (errors.Is, net.Error) see the same.
func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: err}
}
