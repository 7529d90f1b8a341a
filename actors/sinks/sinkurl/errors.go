package sinkurl

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/streamll/streamll-go/actors/sinks"
)

// invalid is a problem this package finds in a value; it wraps
// sinks.ErrInvalidConfig without repeating its text.
type invalid string

func (e invalid) Error() string { return string(e) }

func (invalid) Unwrap() error { return sinks.ErrInvalidConfig }

// itemError is one problem with one item of a list. Its text names where the
// list came from and the item, and was scrubbed of the item's password when
// it was made.
type itemError struct {
	msg string
	err error
}

func (e *itemError) Error() string { return e.msg }

func (e *itemError) Unwrap() error { return e.err }

// item is the state of parsing one sink spec: where it came from, how to
// name it safely in an error, and the problems found so far.
type item struct {
	prefix  string   // `STREAMLL_SINKS: item 2 (redis://app:xxxxx@host)`
	secret  string   // the spec's URL password, scrubbed from every message
	secrets []string // more values to scrub: OTLP header values
	errs    []error
}

func newItem(where string, n int) *item {
	return &item{prefix: fmt.Sprintf("%s: item %d", where, n)}
}

// describe sets how the item is shown in errors. A spec that parsed is shown
// with its password masked; one that did not parse but holds an '@' may have
// its credentials anywhere, so only its scheme is shown.
func (it *item) describe(spec string, u *url.URL) {
	spec, u = it.maskHeaders(spec, u)
	switch {
	case u != nil && u.User != nil && isNATSToken(u):
		// nats://token@host: the token sits where a user name does.
		masked := *u
		masked.User = url.User("xxxxx")
		it.prefix += " (" + masked.String() + ")"
		it.secret = u.User.Username()
	case u != nil && u.User != nil:
		it.prefix += " (" + u.Redacted() + ")"
		if pw, ok := u.User.Password(); ok {
			it.secret = pw
		}
	case !strings.Contains(spec, "@"):
		it.prefix += " (" + spec + ")"
	default:
		if i := strings.Index(spec, "://"); i > 0 && isWord(spec[:i]) {
			it.prefix += " (" + spec[:i] + "://…)"
		}
	}
}

// scrub removes the item's password from s, and as a last guard anything
// that looks like a URL password.
func (it *item) scrub(s string) string {
	if it.secret != "" {
		s = strings.ReplaceAll(s, it.secret, "xxxxx")
	}
	for _, secret := range it.secrets {
		s = strings.ReplaceAll(s, secret, "xxxxx")
	}
	return sinks.Redact(s)
}

// bad records a problem found by this package.
func (it *item) bad(format string, args ...any) {
	it.fail(invalid(it.scrub(fmt.Sprintf(format, args...))))
}

// fail records err, such as a driver's configuration error, under the
// item's name. Every line of a joined error gets the name.
func (it *item) fail(err error) {
	msg := it.prefix + ": " + strings.ReplaceAll(err.Error(), "\n", "\n"+it.prefix+": ")
	it.errs = append(it.errs, &itemError{msg: it.scrub(msg), err: err})
}

// built returns s if it was made without error and the item has no other
// problem; otherwise it records err, closes s and returns nil.
func (it *item) built(s sinks.Sink, err error) sinks.Sink {
	if err != nil {
		it.fail(err)
		return nil
	}
	if len(it.errs) > 0 {
		_ = s.Close(context.Background()) // nothing was dialled or written
		return nil
	}
	return s
}

// isWord reports whether s is a plausible URL scheme, safe to show.
func isWord(s string) bool {
	return s != "" && !strings.ContainsFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.')
	})
}

// parseError explains why url.Parse refused spec without quoting it: the
// error repeats the spec, and even its reason can quote a piece of a
// malformed password, so the reason is withheld when spec holds an '@'.
func parseError(spec string, err error) string {
	if strings.Contains(spec, "@") {
		return "not a valid URL (details withheld: it holds credentials; percent-encode reserved characters in the user name and password)"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return "not a valid URL: " + err.Error()
}

// isNATSToken reports whether u is a NATS URL whose user part is a token.
func isNATSToken(u *url.URL) bool {
	_, hasPassword := u.User.Password()
	_, nats := natsSchemes[u.Scheme]
	return nats && !hasPassword && u.User.Username() != ""
}
