package llmhttp

import (
	"net/http"
	"strconv"
	"strings"
)

// APIError describes an LLM call the provider refused or failed: an HTTP
// status of 400 or more, an error event inside a stream, or a Responses API
// response whose status is "failed". It is what the error event reports
// (error_type "*llmhttp.APIError"); the middleware never returns it to the
// caller, who gets the provider's response unchanged.
type APIError struct {
	// StatusCode is the HTTP status of the response (200 for an error
	// reported inside a stream).
	StatusCode int
	// Type is the provider's error type, such as "invalid_request_error".
	Type string
	// Code is the provider's error code, such as "rate_limit_exceeded".
	Code string
	// Message is the provider's message.
	Message string
}

// Error gives the status and the provider's error type and message.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("llmhttp: HTTP ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	for _, s := range []string{e.Type, e.Code, e.Message} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
	if e.Type == "" && e.Code == "" && e.Message == "" {
		if t := http.StatusText(e.StatusCode); t != "" {
			b.WriteString(" ")
			b.WriteString(t)
		}
	}
	return b.String()
}

// kind is the error.type of the error event: the provider's most specific
// classification. OpenAI's code ("rate_limit_exceeded",
// "insufficient_quota") is finer than its type ("requests", "tokens",
// "insufficient_quota"), so a code that is a word comes first; a numeric code
// (vLLM repeats the status there) says less than a type ("NotFoundError").
// With neither, the status code.
func (e *APIError) kind() string {
	numeric := isDigits(e.Code)
	switch {
	case e.Code != "" && !numeric:
		return e.Code
	case e.Type != "":
		return e.Type
	case e.Code != "":
		return e.Code
	}
	return strconv.Itoa(e.StatusCode)
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// IncompleteError describes a response that ended before it was complete: a
// stream cut or closed before the provider's final event, or a body that
// failed to read or was closed before it was read through. The caller sees
// the same read error or early end; the event only records it.
type IncompleteError struct {
	// Err is the read error that cut the response; nil when the body ended
	// early or was closed.
	Err error
	// Closed is true when the caller closed the body before it ended.
	Closed bool
}

// Error says why the stream ended early.
func (e *IncompleteError) Error() string {
	switch {
	case e.Err != nil:
		return "llmhttp: response cut: " + e.Err.Error()
	case e.Closed:
		return "llmhttp: response body closed before the response ended"
	}
	return "llmhttp: response ended before the provider's final event"
}

// Unwrap returns the read error, if any.
func (e *IncompleteError) Unwrap() error { return e.Err }
