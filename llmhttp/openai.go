package llmhttp

import (
	"bytes"
)

// openAIUsage is what a usage object of Chat Completions (prompt_tokens,
// ...), the Responses API (input_tokens, ...) or OpenRouter (cost) says;
// -1 means absent.
type openAIUsage struct {
	input, output, cached, reasoning int64
	cost                             float64
	costKnown                        bool
}

// readOpenAIUsage reads a usage object.
func (s *scanner) readOpenAIUsage(u *openAIUsage) bool {
	*u = openAIUsage{-1, -1, -1, -1, 0, false}
	if !s.obj("usage") {
		return false
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "prompt_tokens", "input_tokens":
			if n, ok := s.int("usage.input_tokens"); ok {
				u.input = n
			}
		case "completion_tokens", "output_tokens":
			if n, ok := s.int("usage.output_tokens"); ok {
				u.output = n
			}
		case "prompt_tokens_details", "input_tokens_details":
			if s.obj("usage.input_tokens_details") {
				for k, ok := s.member(); ok; k, ok = s.member() {
					if string(k) == "cached_tokens" {
						if n, ok := s.int("cached_tokens"); ok {
							u.cached = n
						}
					} else {
						s.skip()
					}
				}
			}
		case "completion_tokens_details", "output_tokens_details":
			if s.obj("usage.output_tokens_details") {
				for k, ok := s.member(); ok; k, ok = s.member() {
					if string(k) == "reasoning_tokens" {
						if n, ok := s.int("reasoning_tokens"); ok {
							u.reasoning = n
						}
					} else {
						s.skip()
					}
				}
			}
		case "cost": // OpenRouter: the call's cost in credits (US dollars)
			u.cost, u.costKnown = s.num("usage.cost")
		default:
			s.skip()
		}
	}
	return true
}

func (u *openAIUsage) apply(c *call) {
	setCount(&c.usage.input, u.input)
	setCount(&c.usage.output, u.output)
	setCount(&c.usage.cacheRead, u.cached)
	setCount(&c.usage.reasoning, u.reasoning)
	if u.costKnown {
		c.usage.cost, c.usage.costKnown = u.cost, true
	}
}

// setCount stores a reported count into dst.
func setCount(dst *int64, n int64) {
	if n >= 0 {
		*dst = n
	}
}

// chatChunk is what a Chat Completions (or legacy Completions) response
// says, streamed as chunks or whole. Its texts alias the document.
type chatChunk struct {
	id, model jtext
	choices   []chatChoice
	usage     openAIUsage
	hasUsage  bool
	err       []byte // the error member, raw
}

type chatChoice struct {
	index                                    int
	content, refusal, reasoning, text, finis jtext
	tools                                    []chatToolDelta
}

// chatToolDelta is one element of tool_calls (or a legacy function_call).
type chatToolDelta struct {
	index          int
	id, name, args jtext
}

// reset empties ch for the next chunk, keeping its slices' memory.
func (ch *chatChunk) reset() {
	for i := range ch.choices {
		ch.choices[i] = chatChoice{tools: ch.choices[i].tools[:0]}
	}
	*ch = chatChunk{choices: ch.choices[:0]}
}

// nextChoice returns a cleared choice appended to ch.
func (ch *chatChunk) nextChoice() *chatChoice {
	if len(ch.choices) < cap(ch.choices) {
		ch.choices = ch.choices[:len(ch.choices)+1]
	} else {
		ch.choices = append(ch.choices, chatChoice{})
	}
	return &ch.choices[len(ch.choices)-1]
}

// readChatChunk reads a chunk, or a whole response, into ch.
func (s *scanner) readChatChunk(ch *chatChunk) {
	if !s.obj("chunk") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "id":
			ch.id = s.text("id")
		case "model":
			ch.model = s.text("model")
		case "choices":
			ch.choices = ch.choices[:0] // a repeated member replaces the first
			if s.arr("choices") {
				for s.elem() {
					if len(ch.choices) >= maxChoices {
						s.skip()
						continue
					}
					s.readChatChoice(ch.nextChoice())
				}
			}
		case "usage":
			ch.hasUsage = s.readOpenAIUsage(&ch.usage)
		case "error":
			ch.err = s.rawValue()
		default:
			s.skip()
		}
	}
}

func (s *scanner) readChatChoice(x *chatChoice) {
	if !s.obj("choices[]") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "index":
			if n, ok := s.int("choices[].index"); ok && n >= 0 && n < maxChoices {
				x.index = int(n)
			}
		case "delta", "message": // streamed, whole
			s.readChatMessage(x)
		case "text": // legacy Completions
			x.text = s.text("choices[].text")
		case "finish_reason":
			x.finis = s.text("finish_reason")
		default:
			s.skip()
		}
	}
}

func (s *scanner) readChatMessage(x *chatChoice) {
	if !s.obj("choices[].delta") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "content":
			x.content = s.text("delta.content")
		case "refusal":
			x.refusal = s.text("delta.refusal")
		case "reasoning_content", "reasoning": // vLLM and DeepSeek; Ollama and OpenRouter
			if t := s.text("delta.reasoning"); !t.empty() {
				x.reasoning = t
			}
		case "tool_calls":
			x.tools = x.tools[:0]
			if s.arr("delta.tool_calls") {
				for s.elem() {
					if len(x.tools) >= maxToolCalls {
						s.skip()
						continue
					}
					x.tools = append(x.tools, chatToolDelta{index: len(x.tools)})
					s.readChatToolDelta(&x.tools[len(x.tools)-1])
				}
			}
		case "function_call": // the deprecated single function call
			x.tools = append(x.tools, chatToolDelta{})
			s.readChatFunction(&x.tools[len(x.tools)-1])
		default:
			s.skip()
		}
	}
}

func (s *scanner) readChatToolDelta(t *chatToolDelta) {
	if !s.obj("tool_calls[]") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "index":
			if n, ok := s.int("tool_calls[].index"); ok && n >= 0 && n < maxToolCalls {
				t.index = int(n)
			}
		case "id":
			t.id = s.text("tool_calls[].id")
		case "function":
			s.readChatFunction(t)
		default:
			s.skip()
		}
	}
}

func (s *scanner) readChatFunction(t *chatToolDelta) {
	if !s.obj("function") {
		return
	}
	for k, ok := s.member(); ok; k, ok = s.member() {
		switch string(k) {
		case "name":
			t.name = s.text("function.name")
		case "arguments":
			t.args = s.text("function.arguments")
		default:
			s.skip()
		}
	}
}

// applyChat records what a chunk (or whole response) says; tokens are
// emitted only for a stream.
func (c *call) applyChat(ch *chatChunk, streamed bool) {
	if len(ch.err) > 0 {
		c.fail(parseErrorValue(c.status, ch.err))
		return
	}
	c.meta(ch.model, ch.id)
	for i := range ch.choices {
		x := &ch.choices[i]
		if streamed {
			c.token(FieldReasoning, x.reasoning, x.index)
			c.token(FieldCompletion, x.content, x.index)
			c.token(FieldCompletion, x.text, x.index)
			c.token(FieldRefusal, x.refusal, x.index)
		} else if x.index == 0 && c.in.capture {
			c.addCompletion(x.content)
			c.addCompletion(x.text)
		}
		for j := range x.tools {
			t := &x.tools[j]
			key := toolKey(x.index, t.index)
			c.toolStart(key, t.id, t.name)
			if streamed {
				c.toolArgs(key, t.args, x.index)
			} else {
				c.toolWhole(key, t.args)
			}
		}
		c.setFinish(x.index, x.finis)
	}
	if ch.hasUsage {
		ch.usage.apply(c)
	}
}

// chatStream decodes Chat Completions and Completions chunks: deltas in
// choices[].delta.content (or choices[].text) and
// choices[].delta.tool_calls[].function.arguments, finish_reason in the last
// chunk of each choice, usage in a final chunk with no choices when the
// request set stream_options.include_usage, then data: [DONE].
type chatStream struct {
	chunk chatChunk // reused, so that a chunk costs no allocation
}

var doneMarker = []byte("[DONE]")

func (s *chatStream) decode(c *call, _, data []byte) {
	if bytes.Equal(bytes.TrimSpace(data), doneMarker) {
		c.complete()
		return
	}
	s.chunk.reset()
	c.scan.reset(data)
	c.scan.readChatChunk(&s.chunk)
	if c.scanned("chunk", &c.scan) {
		c.applyChat(&s.chunk, true)
	}
}

func decodeChatBody(c *call, body []byte) {
	var ch chatChunk
	c.scan.reset(body)
	c.scan.readChatChunk(&ch)
	if c.scanned("response", &c.scan) {
		c.applyChat(&ch, false)
	}
}

// toolWhole records a tool call of a response that is not streamed: no
// token event, only the end event's tool_calls.
func (c *call) toolWhole(key int, args jtext) {
	t := c.tool(key)
	if t == nil {
		return
	}
	t.chars += args.runes()
	if c.in.capture {
		s, cut := c.in.clip(args.String())
		t.args, t.truncated = append(t.args[:0], s...), cut
	}
}

// decodeBody reads a whole (not streamed) response of format a into c.
func (a api) decodeBody(c *call, body []byte) {
	switch a {
	case apiResponses:
		decodeResponsesBody(c, body)
	case apiMessages:
		decodeAnthropicBody(c, body)
	case apiOllamaChat, apiOllamaGenerate:
		decodeOllamaBody(c, body)
	default:
		decodeChatBody(c, body)
	}
}
