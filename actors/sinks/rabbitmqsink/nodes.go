package rabbitmqsink

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/internal/netaddr"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// node is one broker address the sink may dial.
type node struct {
	url      string // as configured, credentials included: never print it
	redacted string // for errors and logs
}

// parseNodes returns the nodes of URL (comma-separated) followed by those of
// URLs, or the default URL when both are empty. Its errors wrap
// sinks.ErrInvalidConfig and never contain a password.
func parseNodes(first string, more []string) ([]node, error) {
	var raws []string
	for part := range strings.SplitSeq(first, ",") {
		if part = strings.TrimSpace(part); part != "" {
			raws = append(raws, part)
		}
	}
	for _, raw := range more {
		raws = append(raws, strings.TrimSpace(raw))
	}
	if len(raws) == 0 {
		raws = []string{DefaultURL}
	}
	nodes := make([]node, 0, len(raws))
	var errs []error
	for i, raw := range raws {
		n, err := parseNode(raw)
		if err != nil {
			which := "URL"
			if len(raws) > 1 {
				which = fmt.Sprintf("node %d of %d", i+1, len(raws))
			}
			errs = append(errs, fmt.Errorf("%w: rabbitmqsink: %s: %w", sinks.ErrInvalidConfig, which, err))
			continue
		}
		nodes = append(nodes, n)
	}
	return nodes, errors.Join(errs...)
}

// parseNode checks one AMQP URL the way amqp091-go will read it when dialing,
// so that a bad URL is reported by New and not by the first Write.
func parseNode(raw string) (node, error) {
	if raw == "" {
		return node{}, errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			// Even the reason can quote a piece of a malformed password
			// ("invalid port \":hunter2\"").
			return node{}, errors.New("not a valid URL (details withheld: it contains credentials; percent-encode reserved characters in the user name and password)")
		}
		// url.Error repeats the whole URL; keep only the reason.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return node{}, fmt.Errorf("not a valid URL: %w (percent-encode reserved characters in the user name and password)", err)
	}
	n := node{url: raw, redacted: u.Redacted()}
	switch {
	case u.Scheme != "amqp" && u.Scheme != "amqps":
		return node{}, fmt.Errorf("%s: scheme %q is not amqp or amqps", n.redacted, u.Scheme)
	case u.Hostname() == "":
		return node{}, fmt.Errorf("%s: no host", n.redacted)
	}
	if err := netaddr.CheckPort(u); err != nil {
		return node{}, fmt.Errorf("%s: %w", n.redacted, err)
	}
	q := u.Query()
	if err := urlparams.Refuse(q, urlparams.AMQP, "URL"); err != nil {
		return node{}, fmt.Errorf("%s: %w", n.redacted, err)
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if !slices.Contains(urlparams.AMQPOptions, name) {
			return node{}, fmt.Errorf("%s: unknown URL option %q (amqp091-go reads %s, and would ignore any other)",
				n.redacted, name, strings.Join(urlparams.AMQPOptions, ", "))
		}
	}
	if _, err := amqp.ParseURI(raw); err != nil {
		return node{}, fmt.Errorf("%s: %s", n.redacted, redact(err.Error(), u))
	}
	return n, nil
}

// redact removes u's password from s, for error text that libraries build
// from the URL.
func redact(s string, u *url.URL) string {
	if u != nil && u.User != nil {
		if pw, ok := u.User.Password(); ok && pw != "" {
			s = strings.ReplaceAll(s, pw, "xxxxx")
		}
	}
	return sinks.Redact(s)
}
