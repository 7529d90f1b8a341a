package llmhttp

// anthropicUsage is the usage object of the Messages API; -1 means absent.
// input_tokens there excludes the cached input, which the cache_* counts
// report apart.
type anthropicUsage struct {
	input, output, cacheCreation, cacheRead int64
}

func (s *scanner) readAnthropicUsage(u *anthropicUsage) bool {
	*u = anthropicUsage{-1, -1, -1, -1}
	if !s.obj("usage") {
		return false
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		var dst *int64
		switch string(k) {
		case "input_tokens":
			dst = &u.input
		case "output_tokens":
			dst = &u.output
		case "cache_creation_input_tokens":
			dst = &u.cacheCreation
		case "cache_read_input_tokens":
			dst = &u.cacheRead
		default:
			s.skip()
			continue
		}
		if n, ok := s.int("usage"); ok {
			*dst = n
		}
	}
	return true
}

func (u *anthropicUsage) apply(c *call) {
	setCount(&c.usage.input, u.input)
	setCount(&c.usage.output, u.output)
	setCount(&c.usage.cacheCreation, u.cacheCreation)
	setCount(&c.usage.cacheRead, u.cacheRead)
}

// anthropicBlock is a content block: of a whole message, or the
// content_block of a content_block_start event.
type anthropicBlock struct {
	typ, text, id, name jtext
	input               []byte // tool_use input, raw JSON
}

func (s *scanner) readAnthropicBlock(b *anthropicBlock) {
	if !s.obj("content_block") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "type":
			b.typ = s.text("content_block.type")
		case "text":
			b.text = s.text("content_block.text")
		case "id":
			b.id = s.text("content_block.id")
		case "name":
			b.name = s.text("content_block.name")
		case "input":
			b.input = s.rawValue()
		default:
			s.skip()
		}
	}
}

func (b *anthropicBlock) isToolUse() bool {
	return b.typ.equal("tool_use") || b.typ.equal("server_tool_use")
}

// anthropicMessage is a Messages API response, whole or in message_start.
type anthropicMessage struct {
	id, model, stopReason jtext
	content               []anthropicBlock
	usage                 anthropicUsage
	hasUsage              bool
}

func (s *scanner) readAnthropicMessage(m *anthropicMessage) bool {
	if !s.obj("message") {
		return false
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "id":
			m.id = s.text("message.id")
		case "model":
			m.model = s.text("message.model")
		case "stop_reason":
			m.stopReason = s.text("message.stop_reason")
		case "content":
			if s.arr("message.content") {
				for s.elem() {
					if len(m.content) >= maxToolCalls {
						s.skip()
						continue
					}
					m.content = append(m.content, anthropicBlock{})
					s.readAnthropicBlock(&m.content[len(m.content)-1])
				}
			}
		case "usage":
			m.hasUsage = s.readAnthropicUsage(&m.usage)
		default:
			s.skip()
		}
	}
	return true
}

// anthropicEvent is one event of a Messages API stream.
type anthropicEvent struct {
	typ        jtext
	index      int
	message    anthropicMessage
	hasMessage bool
	block      anthropicBlock
	hasBlock   bool
	// delta
	deltaType, text, thinking, partialJSON, stopReason jtext
	usage                                              anthropicUsage
	hasUsage                                           bool
	err                                                []byte
}

func (s *scanner) readAnthropicEvent(ev *anthropicEvent) {
	if !s.obj("event") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "type":
			ev.typ = s.text("type")
		case "index":
			if n, ok := s.int("index"); ok && n >= 0 && n < 1<<20 {
				ev.index = int(n)
			}
		case "message":
			ev.hasMessage = s.readAnthropicMessage(&ev.message)
		case "content_block":
			ev.hasBlock = true
			s.readAnthropicBlock(&ev.block)
		case "delta":
			s.readAnthropicDelta(ev)
		case "usage":
			ev.hasUsage = s.readAnthropicUsage(&ev.usage)
		case "error":
			ev.err = s.rawValue()
		default:
			s.skip()
		}
	}
}

func (s *scanner) readAnthropicDelta(ev *anthropicEvent) {
	if !s.obj("delta") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "type":
			ev.deltaType = s.text("delta.type")
		case "text":
			ev.text = s.text("delta.text")
		case "thinking":
			ev.thinking = s.text("delta.thinking")
		case "partial_json":
			ev.partialJSON = s.text("delta.partial_json")
		case "stop_reason":
			ev.stopReason = s.text("delta.stop_reason")
		default:
			s.skip()
		}
	}
}

// anthropicStream decodes a Messages API stream: message_start (model, input
// usage), content_block_start (a tool_use block's id and name),
// content_block_delta (text_delta, thinking_delta, input_json_delta),
// message_delta (stop_reason, cumulative usage), message_stop, and error
// events.
type anthropicStream struct {
	ev anthropicEvent
}

func (st *anthropicStream) decode(c *call, _, data []byte) {
	content := st.ev.message.content[:0]
	st.ev = anthropicEvent{message: anthropicMessage{content: content}}
	c.scan.reset(data)
	c.scan.readAnthropicEvent(&st.ev)
	if !c.scanned("event", &c.scan) {
		return
	}
	ev := &st.ev
	switch t := ev.typ; {
	case t.equal("content_block_delta"):
		switch d := ev.deltaType; {
		case d.equal("text_delta"):
			c.token(FieldCompletion, ev.text, 0)
		case d.equal("thinking_delta"):
			c.token(FieldReasoning, ev.thinking, 0)
		case d.equal("input_json_delta"):
			c.toolArgs(toolKey(0, ev.index), ev.partialJSON, 0)
		}
	case t.equal("content_block_start"):
		if ev.hasBlock && ev.block.isToolUse() {
			c.toolStart(toolKey(0, ev.index), ev.block.id, ev.block.name)
		}
	case t.equal("message_start"):
		if m := &ev.message; ev.hasMessage {
			c.meta(m.model, m.id)
			if m.hasUsage {
				m.usage.apply(c)
			}
		}
	case t.equal("message_delta"):
		c.setFinish(0, ev.stopReason)
		if ev.hasUsage {
			ev.usage.apply(c)
		}
	case t.equal("message_stop"):
		c.complete()
	case t.equal("error"):
		e := &APIError{StatusCode: c.status}
		if len(ev.err) > 0 {
			e = parseErrorValue(c.status, ev.err)
		}
		c.fail(e)
	}
}

func decodeAnthropicBody(c *call, body []byte) {
	var m anthropicMessage
	c.scan.reset(body)
	c.scan.readAnthropicMessage(&m)
	if !c.scanned("response", &c.scan) {
		return
	}
	c.meta(m.model, m.id)
	c.setFinish(0, m.stopReason)
	if m.hasUsage {
		m.usage.apply(c)
	}
	for i := range m.content {
		b := &m.content[i]
		switch {
		case b.typ.equal("text") && c.in.capture:
			c.addCompletion(b.text)
		case b.isToolUse():
			key := toolKey(0, i)
			c.toolStart(key, b.id, b.name)
			c.toolWhole(key, jtext{raw: compactJSON(b.input)})
		}
	}
}
