// Package netaddr checks the network addresses of sink URLs at construction,
// so that a typo fails New with a clear error instead of failing every Write.
package netaddr

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
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

// Place returns where raw points, for a sink's Destination: its scheme,
// host and path, without credentials, query or fragment; a list of URLs
// (comma-separated) gives each, sorted, so that the same servers in another
// order are the same place. A part that is not a URL is left out.
func Place(raw ...string) string {
	var places []string
	for _, r := range raw {
		for part := range strings.SplitSeq(r, ",") {
			u, err := url.Parse(strings.TrimSpace(part))
			if err != nil || part == "" {
				continue
			}
			p := u.Scheme + "://" + u.Host + u.Path
			if u.Host == "" && u.Opaque != "" {
				p = u.Scheme + ":" + u.Opaque
			}
			places = append(places, p)
		}
	}
	slices.Sort(places)
	return strings.Join(slices.Compact(places), ",")
}
