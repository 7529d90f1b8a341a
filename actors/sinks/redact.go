package sinks

import "regexp"

// userinfo matches the password part of a URL's userinfo ("://user:secret@").
var userinfo = regexp.MustCompile(`(://[^:/@\s]*):[^@/\s]*@`)

// Redact hides URL passwords in s, as a last guard for error text that ends up
// in logs, Health and metrics. Drivers redact their own errors first.
func Redact(s string) string {
	return userinfo.ReplaceAllString(s, "$1:xxxxx@")
}
