//go:build !linux

package rawio

import "net"

// Wrap returns nc: raw system calls are made on Linux only.
func Wrap(nc net.Conn) net.Conn { return nc }
