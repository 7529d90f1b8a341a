package natssink

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/internal/urlparams"
)

// server is one server address the client may dial.
type server struct {
	url      string // as configured, credentials included: never print it
	redacted string // for errors and logs
}

// schemes are the URL schemes nats.go dials.
var schemes = []string{"nats", "tls", "ws", "wss"}

// parseServers returns the servers of URL (comma-separated) followed by
// those of URLs. Its errors wrap sinks.ErrInvalidConfig and never contain a
// password or a token.
func parseServers(first string, more []string) ([]server, error) {
	var raws []string
	for part := range strings.SplitSeq(first, ",") {
		if part = strings.TrimSpace(part); part != "" {
			raws = append(raws, part)
		}
	}
	for _, raw := range more {
		raws = append(raws, strings.TrimSpace(raw))
	}
	servers := make([]server, 0, len(raws))
	var errs []error
	for i, raw := range raws {
		s, err := parseServer(raw)
		if err != nil {
			which := "URL"
			if len(raws) > 1 {
				which = fmt.Sprintf("server %d of %d", i+1, len(raws))
			}
			errs = append(errs, fmt.Errorf("%w: natssink: %s: %w", sinks.ErrInvalidConfig, which, err))
			continue
		}
		servers = append(servers, s)
	}
	return servers, errors.Join(errs...)
}

// parseServer checks one server URL the way nats.go will read it.
func parseServer(raw string) (server, error) {
	if raw == "" {
		return server{}, errors.New("the URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		if strings.Contains(raw, "@") {
			// Even the reason can quote a piece of a malformed password.
			return server{}, errors.New("not a valid URL (details withheld: it contains credentials; percent-encode reserved characters in the user name, password or token)")
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return server{}, fmt.Errorf("not a valid URL: %w", err)
	}
	s := server{url: raw, redacted: redactURL(u)}
	switch {
	case !contains(schemes, u.Scheme):
		return server{}, fmt.Errorf("%s: scheme %q is not one of %s", s.redacted, u.Scheme, strings.Join(schemes, ", "))
	case u.Hostname() == "":
		return server{}, fmt.Errorf("%s: no host", s.redacted)
	case u.Path != "" && u.Path != "/":
		return server{}, fmt.Errorf("%s: a NATS URL has no path", s.redacted)
	case u.RawQuery != "":
		if err := urlparams.Refuse(u.Query(), urlparams.NATS, "URL"); err != nil {
			return server{}, fmt.Errorf("%s: %w", s.redacted, err)
		}
		return server{}, fmt.Errorf("%s: a NATS URL has no query (set Config's fields instead)", s.redacted)
	}
	return s, nil
}

// redactURL prints u without its secret: the password of user:password, or
// the whole user part when it is a token (nats://token@host). url.Redacted
// would show a token, which sits where a user name does.
func redactURL(u *url.URL) string {
	if u.User == nil {
		return u.String()
	}
	c := *u
	if _, ok := u.User.Password(); ok {
		c.User = url.UserPassword(u.User.Username(), "xxxxx")
	} else {
		c.User = url.User("xxxxx")
	}
	return c.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// secrets returns the strings no error or log line may show: passwords and
// tokens of the URLs and of the Config.
func (c Config) secrets(servers []server) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 3 && !contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range servers {
		u, err := url.Parse(s.url)
		if err != nil || u.User == nil {
			continue
		}
		if pw, ok := u.User.Password(); ok {
			add(pw)
		} else {
			add(u.User.Username())
		}
	}
	add(c.Password)
	add(c.Token)
	return out
}

// scrubber removes secrets from error text, as a guard for libraries that
// quote what they were given.
type scrubber []string

func (sc scrubber) string(s string) string {
	for _, secret := range sc {
		s = strings.ReplaceAll(s, secret, "xxxxx")
	}
	return sinks.Redact(s)
}

// error returns err with its text scrubbed; errors.Is and errors.As still
// see the errors it wraps.
func (sc scrubber) error(err error) error {
	if err == nil {
		return nil
	}
	msg := sc.string(err.Error())
	if msg == err.Error() {
		return err
	}
	return &scrubbedError{msg: msg, err: err}
}

type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }
