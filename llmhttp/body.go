package llmhttp

import (
	"encoding/json"
	"io"
	"strconv"
)

// Bounds of what bufferedBody keeps to parse at the end.
const (
	maxResponseBytes = 8 << 20  // a complete (not streamed) response
	maxErrorBytes    = 64 << 10 // an error response
)

// bufferedBody passes a response that is not streamed through unchanged,
// keeping a bounded copy of what the caller reads. When the caller reaches
// EOF, a read fails or the body is closed, it parses the copy and ends the
// call: with usage and finish reasons for a success, with an APIError for an
// HTTP error.
type bufferedBody struct {
	rc     io.ReadCloser
	c      *call
	buf    []byte
	limit  int
	over   bool
	failed bool // the status is an error
}

func newBufferedBody(rc io.ReadCloser, c *call, contentLength int64) *bufferedBody {
	b := &bufferedBody{rc: rc, c: c, limit: maxResponseBytes, failed: c.status >= 400}
	if b.failed {
		b.limit = maxErrorBytes
	}
	if contentLength > 0 && contentLength <= int64(b.limit) {
		b.buf = make([]byte, 0, contentLength)
	}
	return b
}

func (b *bufferedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	c := b.c
	c.mu.Lock()
	if !c.ended {
		b.keep(p[:n])
		if err != nil {
			b.finish(err, false)
		}
	}
	c.mu.Unlock()
	return n, err
}

// Close closes the response body, ending the call if it has not ended.
func (b *bufferedBody) Close() error {
	err := b.rc.Close()
	c := b.c
	c.mu.Lock()
	if !c.ended {
		b.finish(nil, true)
	}
	c.mu.Unlock()
	return err
}

func (b *bufferedBody) keep(p []byte) {
	if b.over {
		return
	}
	if len(b.buf)+len(p) > b.limit {
		b.over = true
		b.buf = nil
		return
	}
	b.buf = append(b.buf, p...)
}

// finish ends the call from what was read. readErr is the error that ended
// the reading (io.EOF at the end); closed says the caller closed the body.
func (b *bufferedBody) finish(readErr error, closed bool) {
	c := b.c
	body := b.buf
	b.buf = nil
	if b.failed {
		c.fail(parseAPIError(c.status, body))
		return
	}
	if readErr != nil && readErr != io.EOF {
		c.end(&IncompleteError{Err: readErr})
		return
	}
	if b.over {
		c.parseFailed("response", errOver(b.limit))
		c.complete()
		return
	}
	if closed && !json.Valid(body) { // the caller stopped reading early
		c.end(&IncompleteError{Closed: true})
		return
	}
	c.api.decodeBody(c, body)
	c.complete() // no-op if decodeBody ended the call with an error
}

type errOver int

func (e errOver) Error() string {
	return "body over " + strconv.Itoa(int(e)>>20) + " MiB not inspected"
}
