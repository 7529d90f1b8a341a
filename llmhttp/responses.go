package llmhttp

// responsesObject is what a Responses API response says, whole or inside
// the response.* events of a stream. Its texts alias the document.
type responsesObject struct {
	id, model, status, incomplete jtext
	err                           []byte
	output                        []responsesItem
	usage                         openAIUsage
	hasUsage                      bool
}

// responsesItem is an element of output, or the item of an
// output_item.added event.
type responsesItem struct {
	typ, id, callID, name, args jtext
	text                        []jtext // output_text parts of a message
}

func (s *scanner) readResponsesObject(r *responsesObject) bool {
	if !s.obj("response") {
		return false
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "id":
			r.id = s.text("response.id")
		case "model":
			r.model = s.text("response.model")
		case "status":
			r.status = s.text("response.status")
		case "incomplete_details":
			if s.obj("response.incomplete_details") {
				for k, ok := s.member(); ok; k, ok = s.member() {
					if string(k) == "reason" {
						r.incomplete = s.text("incomplete_details.reason")
					} else {
						s.skip()
					}
				}
			}
		case "error":
			if s.peek() == 'n' {
				s.null()
			} else {
				r.err = s.rawValue()
			}
		case "output":
			if s.arr("response.output") {
				for s.elem() {
					if len(r.output) >= maxToolCalls {
						s.skip()
						continue
					}
					r.output = append(r.output, responsesItem{})
					s.readResponsesItem(&r.output[len(r.output)-1], true)
				}
			}
		case "usage":
			r.hasUsage = s.readOpenAIUsage(&r.usage)
		default:
			s.skip()
		}
	}
	return true
}

// readResponsesItem reads an output item; the text of its content parts only
// when withText is set.
func (s *scanner) readResponsesItem(it *responsesItem, withText bool) {
	if !s.obj("item") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "type":
			it.typ = s.text("item.type")
		case "id":
			it.id = s.text("item.id")
		case "call_id":
			it.callID = s.text("item.call_id")
		case "name":
			it.name = s.text("item.name")
		case "arguments", "input": // function_call, custom_tool_call
			if s.peek() == '"' {
				it.args = s.text("item.arguments")
			} else {
				s.skip()
			}
		case "content":
			if !withText {
				s.skip()
				continue
			}
			if !s.arr("item.content") {
				continue
			}
			for s.elem() {
				var typ, text jtext
				if s.obj("content[]") {
					for k, ok := s.member(); ok; k, ok = s.member() {
						switch string(k) {
						case "type":
							typ = s.text("content[].type")
						case "text":
							text = s.text("content[].text")
						default:
							s.skip()
						}
					}
				}
				if typ.equal("output_text") {
					it.text = append(it.text, text)
				}
			}
		default:
			s.skip()
		}
	}
}

// isToolCall reports whether the item is a call of a tool whose arguments
// the middleware follows.
func (it *responsesItem) isToolCall() bool {
	return it.typ.equal("function_call") || it.typ.equal("custom_tool_call") || it.typ.equal("mcp_call")
}

// callIDOf is the id a tool result refers back to: call_id, else the
// item's id.
func (it *responsesItem) callIDOf() jtext {
	if !it.callID.empty() {
		return it.callID
	}
	return it.id
}

// apply records what r tells and ends the call if r failed; it returns
// whether the call was ended.
func (r *responsesObject) apply(c *call) bool {
	c.meta(r.model, r.id)
	if r.hasUsage {
		r.usage.apply(c)
	}
	switch {
	case !r.incomplete.empty():
		c.setFinish(0, r.incomplete)
	case !r.status.empty() && !r.status.equal("in_progress") && !r.status.equal("queued"):
		c.setFinish(0, r.status)
	}
	if r.status.equal("failed") {
		e := &APIError{StatusCode: c.status}
		if len(r.err) > 0 {
			e = parseErrorValue(c.status, r.err)
		}
		c.fail(e)
		return true
	}
	return false
}

// responsesEvent is one event of a Responses API stream.
type responsesEvent struct {
	typ, delta, itemID, code, message jtext
	outputIndex                       int
	item                              responsesItem
	hasItem                           bool
	response                          responsesObject
	hasResponse                       bool
}

func (s *scanner) readResponsesEvent(ev *responsesEvent) {
	if !s.obj("event") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "type":
			ev.typ = s.text("type")
		case "delta":
			ev.delta = s.text("delta")
		case "item_id":
			ev.itemID = s.text("item_id")
		case "output_index":
			if n, ok := s.int("output_index"); ok && n >= 0 && n < 1<<20 {
				ev.outputIndex = int(n)
			}
		case "item":
			ev.hasItem = true
			s.readResponsesItem(&ev.item, false)
		case "response":
			ev.hasResponse = s.readResponsesObject(&ev.response)
		case "code":
			if s.peek() == '"' {
				ev.code = s.text("code")
			} else {
				ev.code = jtext{raw: s.rawValue()} // a number, or null
				if string(ev.code.raw) == "null" {
					ev.code = jtext{}
				}
			}
		case "message":
			ev.message = s.text("message")
		default:
			s.skip()
		}
	}
}

// responsesStream decodes a Responses API stream: text in
// response.output_text.delta events, tool calls announced by
// response.output_item.added and streamed by
// response.function_call_arguments.delta, usage and status in
// response.completed (or response.incomplete, response.failed), failures in
// error events.
type responsesStream struct {
	ev responsesEvent
}

func (st *responsesStream) decode(c *call, _, data []byte) {
	output := st.ev.response.output[:0]
	st.ev = responsesEvent{response: responsesObject{output: output}}
	c.scan.reset(data)
	c.scan.readResponsesEvent(&st.ev)
	if !c.scanned("event", &c.scan) {
		return
	}
	ev := &st.ev
	switch t := ev.typ; {
	case t.equal("response.output_text.delta"):
		c.token(FieldCompletion, ev.delta, 0)
	case t.equal("response.function_call_arguments.delta"),
		t.equal("response.custom_tool_call_input.delta"),
		t.equal("response.mcp_call_arguments.delta"):
		c.toolArgs(toolKey(0, ev.outputIndex), ev.delta, 0)
	case t.equal("response.output_item.added"):
		if ev.hasItem && ev.item.isToolCall() {
			c.toolStart(toolKey(0, ev.outputIndex), ev.item.callIDOf(), ev.item.name)
		}
	case t.equal("response.reasoning_text.delta"), t.equal("response.reasoning_summary_text.delta"):
		c.token(FieldReasoning, ev.delta, 0)
	case t.equal("response.refusal.delta"):
		c.token(FieldRefusal, ev.delta, 0)
	case t.equal("response.created"), t.equal("response.in_progress"):
		if ev.hasResponse {
			c.meta(ev.response.model, ev.response.id)
		}
	case t.equal("response.completed"), t.equal("response.incomplete"), t.equal("response.failed"):
		if ev.hasResponse && ev.response.apply(c) {
			return
		}
		if t.equal("response.failed") {
			c.fail(&APIError{StatusCode: c.status})
			return
		}
		c.complete()
	case t.equal("error"):
		c.fail(&APIError{StatusCode: c.status, Code: ev.code.String(), Message: ev.message.String()})
	}
}

func decodeResponsesBody(c *call, body []byte) {
	var r responsesObject
	c.scan.reset(body)
	c.scan.readResponsesObject(&r)
	if !c.scanned("response", &c.scan) {
		return
	}
	for i := range r.output {
		o := &r.output[i]
		if c.in.capture {
			for _, t := range o.text {
				c.addCompletion(t)
			}
		}
		if o.isToolCall() {
			key := toolKey(0, i)
			c.toolStart(key, o.callIDOf(), o.name)
			c.toolWhole(key, o.args)
		}
	}
	r.apply(c)
}
