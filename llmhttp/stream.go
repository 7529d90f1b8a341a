package llmhttp

import (
	"io"
)

// streamDecoder reads the events of one format's stream into a call.
type streamDecoder interface {
	decode(c *call, name, data []byte)
}

func (a api) streamDecoder() streamDecoder {
	switch a {
	case apiResponses:
		return new(responsesStream)
	case apiMessages:
		return new(anthropicStream)
	case apiOllamaChat, apiOllamaGenerate:
		return new(ollamaStream)
	}
	return new(chatStream)
}

// framer cuts a stream into events: sseParser for text/event-stream,
// lineParser for application/x-ndjson.
type framer interface {
	feed(b []byte)
	finish()
	error() error
}

// streamReader follows a streamed response as the caller reads it: token
// events go out as the reads bring each delta in, and the end (or error)
// event when the provider's final event arrives, the stream ends, a read
// fails or the caller closes the body.
type streamReader struct {
	c     *call
	frame framer
	dec   streamDecoder
}

func newStreamReader(c *call, ndjson bool) *streamReader {
	s := &streamReader{c: c, dec: c.api.streamDecoder()}
	if ndjson {
		s.frame = &lineParser{h: s}
	} else {
		s.frame = &sseParser{h: s}
	}
	return s
}

func (s *streamReader) read(p []byte, err error) {
	if len(p) > 0 {
		s.frame.feed(p)
	}
	switch {
	case err == io.EOF:
		s.frame.finish()
		s.stop(nil, false)
	case err != nil:
		s.stop(err, false)
	}
}

func (s *streamReader) closed() { s.stop(nil, true) }

// stop ends the call when the stream stops before the provider's final
// event: at EOF, at a read error, or when the caller closes the body. A
// stream that already reported a finish reason counts as complete (some
// compatible servers omit [DONE]); so does one the parser gave up on, since
// nothing more can be told about it. Otherwise it is incomplete.
func (s *streamReader) stop(readErr error, closed bool) {
	c := s.c
	if c.ended {
		return
	}
	ferr := s.frame.error()
	if ferr != nil && c.parseErr == "" {
		c.parseFailed("stream", ferr)
	}
	switch {
	case readErr != nil:
		c.end(&IncompleteError{Err: readErr})
	case len(c.finish) > 0 || ferr != nil:
		c.complete()
	default:
		c.end(&IncompleteError{Closed: closed})
	}
}

// event is the framer's callback.
func (s *streamReader) event(name, data []byte) {
	if !s.c.ended {
		s.dec.decode(s.c, name, data)
	}
}
