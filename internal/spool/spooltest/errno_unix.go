//go:build unix

package spooltest

import "syscall"

var enospc error = syscall.ENOSPC
