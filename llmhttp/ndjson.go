package llmhttp

import "bytes"

// lineParser splits a newline-delimited JSON stream (application/x-ndjson,
// Ollama's native API) into lines as its bytes pass by, and hands each
// non-empty line to h as an event's data (with no name). Like sseParser it
// copies only a line cut by a read boundary, and gives up (err) on a line
// over maxEventBytes.
type lineParser struct {
	h    eventHandler
	line []byte
	err  error
}

func (p *lineParser) feed(b []byte) {
	for len(b) > 0 && p.err == nil {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			p.keep(b)
			return
		}
		line := b[:i]
		b = b[i+1:]
		if len(p.line) > 0 {
			if !p.keep(line) {
				return
			}
			line = p.line
		}
		p.dispatch(line)
		p.line = p.line[:0]
	}
}

func (p *lineParser) keep(b []byte) bool {
	if len(p.line)+len(b) > maxEventBytes {
		p.err = errEventTooLarge
		return false
	}
	p.line = append(p.line, b...)
	return true
}

func (p *lineParser) dispatch(line []byte) {
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if len(bytes.TrimSpace(line)) > 0 {
		p.h.event(nil, line)
	}
}

// finish handles a last line without its newline.
func (p *lineParser) finish() {
	if p.err == nil && len(p.line) > 0 {
		p.dispatch(p.line)
		p.line = p.line[:0]
	}
}

// error returns why the parser gave up, if it did.
func (p *lineParser) error() error { return p.err }

// sseError is sseParser's counterpart of lineParser.error.
func (p *sseParser) error() error { return p.err }
