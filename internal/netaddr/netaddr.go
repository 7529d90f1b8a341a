// Package netaddr checks the network addresses of sink URLs at construction,
// so that a typo fails New with a clear error instead of failing every Write.
package netaddr

import (
	"fmt"
	"net/url"
	"strconv"
)

// CheckPort reports an error when u names a port outside 1–65535. A URL
// without a port (the driver's default applies) is fine.
func CheckPort(u *url.URL) error {
	p := u.Port()
	if p == "" {
		return nil
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q is outside 1-65535", p)
	}
	return nil
}
