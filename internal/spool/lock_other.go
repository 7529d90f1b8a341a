//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package spool

import (
	"errors"
	"fmt"
	"io"
)

func lockFile(path string) (io.Closer, error) {
	return nil, fmt.Errorf("spool: locking %s: %w", path, errors.ErrUnsupported)
}
