package llmhttp

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// withIncludeUsage returns req with "include_usage":true added to the
// stream_options of its body raw (a Chat Completions request), the rest of
// the bytes unchanged; req itself when the body cannot be edited that way.
// req is never modified: the result is a shallow copy with its own body,
// GetBody and ContentLength (and headers, if they held a Content-Length).
func withIncludeUsage(req *http.Request, raw []byte) *http.Request {
	body, ok := addIncludeUsage(raw)
	if !ok {
		return req
	}
	out := new(http.Request)
	*out = *req
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	out.ContentLength = int64(len(body))
	if req.Header.Get("Content-Length") != "" {
		out.Header = req.Header.Clone()
		out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if req.Body != nil && req.GetBody != nil {
		// readRequest inspected a copy and left the caller's body unread;
		// it is replaced, so close it as the transport would have.
		_ = req.Body.Close()
	}
	return out
}

const includeUsageMember = `"include_usage":true`

// addIncludeUsage edits a request body that is a JSON object: with no
// stream_options (or a null one) it gains
// "stream_options":{"include_usage":true} before its closing brace; an
// existing stream_options object gains "include_usage":true first. Anything
// else is left alone (ok false).
func addIncludeUsage(raw []byte) ([]byte, bool) {
	var s scanner
	s.reset(raw)
	if !s.obj("request") {
		return nil, false
	}
	optStart, optEnd := -1, -1
	for k, ok := s.member(); ok; k, ok = s.member() {
		if string(k) == "stream_options" {
			s.ws()
			optStart = s.i
			s.skip()
			optEnd = s.i
		} else {
			s.skip()
		}
	}
	closing := s.i - 1
	s.end()
	if s.err != nil {
		return nil, false
	}
	out := make([]byte, 0, len(raw)+len(`,"stream_options":{}`)+len(includeUsageMember))
	switch {
	case optStart < 0 || string(raw[optStart:optEnd]) == "null":
		opts := `{` + includeUsageMember + `}`
		if optStart >= 0 { // replace the null
			out = append(append(append(out, raw[:optStart]...), opts...), raw[optEnd:]...)
			return out, true
		}
		out = append(out, raw[:closing]...)
		if bytes.TrimSpace(raw[:closing])[len(bytes.TrimSpace(raw[:closing]))-1] != '{' {
			out = append(out, ',')
		}
		out = append(out, `"stream_options":`...)
		out = append(out, opts...)
		return append(out, raw[closing:]...), true
	case raw[optStart] == '{':
		out = append(out, raw[:optStart+1]...)
		out = append(out, includeUsageMember...)
		if len(bytes.TrimSpace(raw[optStart+1:optEnd-1])) > 0 {
			out = append(out, ',')
		}
		return append(out, raw[optStart+1:]...), true
	}
	return nil, false
}
