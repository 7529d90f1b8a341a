package llmhttp

import (
	"encoding/json"
	"io"
	"strconv"
)

// watchedBody passes a response body through unchanged and shows every read
// to a reader that follows the response, until the call has ended.
type watchedBody struct {
	rc io.ReadCloser
	c  *call
	w  bodyWatcher
}

// bodyWatcher follows a response body as the caller reads it. Its methods
// run with the call's mu held (Read and Close may race), and only until the
// call has ended; each may end it.
type bodyWatcher interface {
	// read sees the bytes of one Read (maybe none) and its error (io.EOF at
	// the end). p is only valid during the call.
	read(p []byte, err error)
	// closed says the caller closed the body.
	closed()
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 || err != nil {
		b.c.mu.Lock()
		if !b.c.ended {
			b.w.read(p[:n], err)
		}
		b.c.mu.Unlock()
	}
	return n, err
}

// Close ends the call, if it has not ended, and then closes the response
// body. In that order: a Read waiting in another goroutine fails once the
// body is closed, and its error must not be taken for a cut response when it
// was the caller who closed it.
func (b *watchedBody) Close() error {
	b.c.mu.Lock()
	if !b.c.ended {
		b.w.closed()
	}
	b.c.mu.Unlock()
	return b.rc.Close()
}

// Bounds of what a bufferedReader keeps to parse at the end.
const (
	maxResponseBytes = 8 << 20  // a complete (not streamed) response
	maxErrorBytes    = 64 << 10 // an error response
)

// bufferedReader follows a successful response that is not streamed,
// keeping a bounded copy of what the caller reads. When the caller reaches
// EOF, a read fails or the body is closed, it parses the copy and ends the
// call with usage and finish reasons. (Error responses are read ahead
// instead: see readErrorAhead.)
type bufferedReader struct {
	c     *call
	buf   []byte
	limit int
	over  bool
}

func newBufferedReader(c *call, contentLength int64) *bufferedReader {
	b := &bufferedReader{c: c, limit: maxResponseBytes}
	if contentLength > 0 && contentLength <= int64(b.limit) {
		b.buf = make([]byte, 0, contentLength)
	}
	return b
}

func (b *bufferedReader) read(p []byte, err error) {
	b.keep(p)
	if err != nil {
		b.finish(err, false)
	}
}

func (b *bufferedReader) closed() { b.finish(nil, true) }

func (b *bufferedReader) keep(p []byte) {
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
func (b *bufferedReader) finish(readErr error, closed bool) {
	c := b.c
	body := b.buf
	b.buf = nil
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
