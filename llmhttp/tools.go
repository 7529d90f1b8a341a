package llmhttp

import (
	"github.com/streamll/streamll-go/events"
)

// toolCall is one tool call of a response, assembled from its deltas.
type toolCall struct {
	key       int // the provider's index of the call; see toolKey
	id, name  any // strings, boxed once for every token event; nil until known
	chars     int // characters of the arguments' JSON text
	args      []byte
	truncated bool
}

// maxToolCalls bounds the tool calls a response may make the middleware
// track; a confused server's extra ones are not recorded.
const maxToolCalls = 128

// toolKey combines a choice and the provider's index of a tool call within
// it into the key the call is tracked by.
func toolKey(choice, index int) int { return choice<<20 | index&(1<<20-1) }

// tool returns the call tracked under key, starting it if it is new; nil
// past maxToolCalls.
func (c *call) tool(key int) *toolCall {
	for i := range c.tools {
		if c.tools[i].key == key {
			return &c.tools[i]
		}
	}
	if len(c.tools) >= maxToolCalls {
		return nil
	}
	c.tools = append(c.tools, toolCall{key: key})
	c.output()
	return &c.tools[len(c.tools)-1]
}

// toolStart records what the first delta of a tool call names: its id and
// the tool. Either may be empty, and a later delta may fill it in.
func (c *call) toolStart(key int, id, name jtext) *toolCall {
	t := c.tool(key)
	if t == nil {
		return nil
	}
	if t.id == nil && !id.empty() {
		t.id = id.String()
	}
	if t.name == nil && !name.empty() {
		t.name = name.String()
	}
	return t
}

// toolArgs emits a token event for a delta of a tool call's arguments.
func (c *call) toolArgs(key int, delta jtext, choice int) {
	if delta.empty() {
		return
	}
	t := c.tool(key)
	if t == nil {
		return
	}
	d := make(map[string]any, 6)
	c.tokenData(d, FieldToolCall, delta, choice)
	if t.id != nil {
		d[KeyGenAIToolCallID] = t.id
	}
	if t.name != nil {
		d[KeyGenAIToolName] = t.name
	}
	t.chars += delta.runes()
	if c.in.capture && !t.truncated {
		n := len(t.args)
		t.args = appendText(t.args, delta)
		if limit := c.in.maxContent; limit >= 0 && len(t.args) > limit {
			kept, _ := clip(string(t.args[n:]), limit-n)
			t.args = t.args[:n+len(kept)]
			t.truncated = true
		}
	}
	c.ex.Emit(events.TypeToken, d)
}

// appendText appends the decoded text to dst.
func appendText(dst []byte, t jtext) []byte { return unescape(dst, t.raw) }

// toolCallsData is the end event's tool_calls.
func (c *call) toolCallsData() []any {
	out := make([]any, 0, len(c.tools))
	for i := range c.tools {
		t := &c.tools[i]
		m := make(map[string]any, 5)
		if t.id != nil {
			m["id"] = t.id
		}
		if t.name != nil {
			m["name"] = t.name
		}
		m["arguments_chars"] = t.chars
		if c.in.capture {
			m["arguments"] = string(t.args)
			if t.truncated {
				m[KeyContentTruncated] = true
			}
		}
		out = append(out, m)
	}
	return out
}
