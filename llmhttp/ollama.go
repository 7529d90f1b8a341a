package llmhttp

import (
	"bytes"
	"encoding/json"
)

// ollamaChunk is one line of Ollama's native NDJSON stream (/api/chat,
// /api/generate), or its whole response when stream is false:
//
//	{"model":"llama3.2","created_at":"...","message":{"role":"assistant","content":"The"},"done":false}
//	{"model":"llama3.2","created_at":"...","response":"The","done":false}
//	{"model":"llama3.2",...,"done":true,"done_reason":"stop","prompt_eval_count":26,"eval_count":298,...}
//	{"error":"model \"llama9\" not found, try pulling it first"}
type ollamaChunk struct {
	model, content, thinking, doneReason jtext
	tools                                []ollamaTool
	done                                 bool
	promptEvalCount, evalCount           int64
	err                                  []byte
}

// ollamaTool is an element of message.tool_calls. Ollama sends each call
// whole, its arguments as a JSON object.
type ollamaTool struct {
	index    int
	id, name jtext
	args     []byte
}

func (ch *ollamaChunk) reset() {
	*ch = ollamaChunk{tools: ch.tools[:0], promptEvalCount: -1, evalCount: -1}
}

func (s *scanner) readOllamaChunk(ch *ollamaChunk) {
	if !s.obj("chunk") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "model":
			ch.model = s.text("model")
		case "response": // /api/generate
			ch.content = s.text("response")
		case "thinking": // /api/generate
			ch.thinking = s.text("thinking")
		case "message": // /api/chat
			s.readOllamaMessage(ch)
		case "done":
			ch.done, _ = s.boolean("done")
		case "done_reason":
			ch.doneReason = s.text("done_reason")
		case "prompt_eval_count":
			if n, ok := s.int("prompt_eval_count"); ok {
				ch.promptEvalCount = n
			}
		case "eval_count":
			if n, ok := s.int("eval_count"); ok {
				ch.evalCount = n
			}
		case "error":
			ch.err = s.rawValue()
		default:
			s.skip()
		}
	}
}

func (s *scanner) readOllamaMessage(ch *ollamaChunk) {
	if !s.obj("message") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "content":
			ch.content = s.text("message.content")
		case "thinking":
			ch.thinking = s.text("message.thinking")
		case "tool_calls":
			if !s.arr("message.tool_calls") {
				continue
			}
			for s.elem() {
				if len(ch.tools) >= maxToolCalls {
					s.skip()
					continue
				}
				ch.tools = append(ch.tools, ollamaTool{index: len(ch.tools)})
				s.readOllamaTool(&ch.tools[len(ch.tools)-1])
			}
		default:
			s.skip()
		}
	}
}

func (s *scanner) readOllamaTool(t *ollamaTool) {
	if !s.obj("tool_calls[]") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "id":
			t.id = s.text("tool_calls[].id")
		case "function":
			if !s.obj("tool_calls[].function") {
				continue
			}
			for k, ok := s.member(); ok; k, ok = s.member() {
				switch string(k) {
				case "name":
					t.name = s.text("function.name")
				case "index":
					if n, ok := s.int("function.index"); ok && n >= 0 && n < maxToolCalls {
						t.index = int(n)
					}
				case "arguments":
					t.args = s.rawValue()
				default:
					s.skip()
				}
			}
		default:
			s.skip()
		}
	}
}

// applyOllama records what a chunk (or a whole response) says; tokens are
// emitted only for a stream. The last chunk (done: true) ends the call.
func (c *call) applyOllama(ch *ollamaChunk, streamed bool) {
	if len(ch.err) > 0 {
		c.fail(parseErrorValue(c.status, ch.err))
		return
	}
	c.meta(ch.model, jtext{})
	if streamed {
		c.token(FieldReasoning, ch.thinking, 0)
		c.token(FieldCompletion, ch.content, 0)
	} else if c.in.capture {
		c.addCompletion(ch.content)
	}
	for i := range ch.tools {
		t := &ch.tools[i]
		key := toolKey(0, len(c.tools))
		c.toolStart(key, t.id, t.name)
		args := jtext{raw: compactJSON(t.args)}
		if streamed {
			c.toolArgs(key, args, 0)
		} else {
			c.toolWhole(key, args)
		}
	}
	setCount(&c.usage.input, ch.promptEvalCount)
	setCount(&c.usage.output, ch.evalCount)
	if ch.done {
		reason := ch.doneReason
		if reason.empty() {
			reason = jtext{raw: []byte("stop")}
		}
		c.setFinish(0, reason)
		c.complete()
	}
}

// ollamaStream decodes Ollama's native stream, one JSON object per line.
type ollamaStream struct {
	chunk ollamaChunk
}

func (st *ollamaStream) decode(c *call, _, data []byte) {
	if len(bytes.TrimSpace(data)) == 0 {
		return
	}
	st.chunk.reset()
	c.scan.reset(data)
	c.scan.readOllamaChunk(&st.chunk)
	if c.scanned("chunk", &c.scan) {
		c.applyOllama(&st.chunk, true)
	}
}

func decodeOllamaBody(c *call, body []byte) {
	var ch ollamaChunk
	ch.reset()
	c.scan.reset(body)
	c.scan.readOllamaChunk(&ch)
	if c.scanned("response", &c.scan) {
		c.applyOllama(&ch, false)
	}
}

// compactJSON returns raw without insignificant white space; raw itself if
// it is compact already or not valid JSON.
func compactJSON(raw []byte) []byte {
	if len(raw) == 0 || !bytes.ContainsAny(raw, " \t\r\n") {
		return raw
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}
