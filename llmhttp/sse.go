package llmhttp

import (
	"bytes"
	"errors"
)

// eventHandler receives the events of a text/event-stream.
type eventHandler interface {
	// event handles one event: its name (empty when the stream sent no
	// event: field) and its data lines joined by '\n'. Both slices are only
	// valid during the call.
	event(name, data []byte)
}

// maxEventBytes bounds the memory an event stream may make the parser hold:
// a line cut across reads plus the data of the event being assembled.
const maxEventBytes = 1 << 20

// errEventTooLarge is the parse error of an event over maxEventBytes.
var errEventTooLarge = errors.New("an event is over 1 MiB; the rest of the stream is not inspected")

// sseParser splits a text/event-stream (the WHATWG server-sent events format)
// into events as its bytes pass by, in whatever pieces the reads cut them.
// It copies only what must outlive a read: the start of a line cut by a read
// boundary, and the data of the event being assembled. Once an event exceeds
// maxEventBytes it stops (err is set) and ignores the rest.
type sseParser struct {
	h       eventHandler
	line    []byte // the start of a line cut by the previous read
	name    []byte
	data    []byte
	hasData bool
	afterCR bool // the previous read ended with CR: a leading LF belongs to it
	err     error
}

// feed parses the next bytes of the stream.
func (p *sseParser) feed(b []byte) {
	if p.err != nil {
		return
	}
	if p.afterCR {
		p.afterCR = false
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
	for len(b) > 0 {
		i := lineEnd(b)
		if i < 0 {
			p.keep(b)
			return
		}
		line := b[:i]
		if len(p.line) > 0 {
			if !p.keep(line) {
				return
			}
			line = p.line
		}
		if b[i] == '\r' {
			if i+1 == len(b) {
				p.afterCR = true
			} else if b[i+1] == '\n' {
				i++
			}
		}
		b = b[i+1:]
		p.processLine(line)
		p.line = p.line[:0]
		if p.err != nil {
			return
		}
	}
}

// finish handles the end of the stream: a last line without its line end,
// and a last event without its blank line, are taken as if terminated.
func (p *sseParser) finish() {
	if p.err != nil {
		return
	}
	if len(p.line) > 0 {
		p.processLine(p.line)
		p.line = p.line[:0]
	}
	p.dispatch()
}

// lineEnd returns the index of the first CR or LF in b, or -1.
func lineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	head := b
	if i >= 0 {
		head = b[:i]
	}
	if j := bytes.IndexByte(head, '\r'); j >= 0 {
		return j
	}
	return i
}

// keep saves part of a line cut by a read boundary, unless that makes the
// event too large.
func (p *sseParser) keep(b []byte) bool {
	if len(p.line)+len(b)+len(p.data) > maxEventBytes {
		p.err = errEventTooLarge
		return false
	}
	p.line = append(p.line, b...)
	return true
}

func (p *sseParser) processLine(line []byte) {
	if len(line) == 0 {
		p.dispatch()
		return
	}
	if line[0] == ':' { // a comment, such as a keep-alive
		return
	}
	field, value := line, []byte(nil)
	if i := bytes.IndexByte(line, ':'); i >= 0 {
		field, value = line[:i], line[i+1:]
		if len(value) > 0 && value[0] == ' ' {
			value = value[1:]
		}
	}
	switch string(field) {
	case "data":
		if len(p.data)+len(value)+1 > maxEventBytes {
			p.err = errEventTooLarge
			return
		}
		if p.hasData {
			p.data = append(p.data, '\n')
		}
		p.data = append(p.data, value...)
		p.hasData = true
	case "event":
		p.name = append(p.name[:0], value...)
	}
}

func (p *sseParser) dispatch() {
	if p.hasData {
		p.h.event(p.name, p.data)
	}
	p.name, p.data, p.hasData = p.name[:0], p.data[:0], false
}
