//go:build !unix

package spooltest

import "errors"

var enospc = errors.New("no space left on device")
