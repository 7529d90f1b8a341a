package llmhttp

import (
	"bytes"
	"encoding/json"
)

// openAIUsage is the usage object of Chat Completions (prompt_tokens, ...)
// and of the Responses API (input_tokens, ...).
type openAIUsage struct {
	PromptTokens        *int64        `json:"prompt_tokens"`
	CompletionTokens    *int64        `json:"completion_tokens"`
	InputTokens         *int64        `json:"input_tokens"`
	OutputTokens        *int64        `json:"output_tokens"`
	PromptTokensDetails *cachedTokens `json:"prompt_tokens_details"`
	InputTokensDetails  *cachedTokens `json:"input_tokens_details"`
}

type cachedTokens struct {
	CachedTokens *int64 `json:"cached_tokens"`
}

func (u *openAIUsage) apply(c *call) {
	set(&c.usage.input, u.PromptTokens, u.InputTokens)
	set(&c.usage.output, u.CompletionTokens, u.OutputTokens)
	for _, d := range []*cachedTokens{u.PromptTokensDetails, u.InputTokensDetails} {
		if d != nil {
			set(&c.usage.cacheRead, d.CachedTokens)
		}
	}
}

// set stores the first reported count into dst.
func set(dst *int64, counts ...*int64) {
	for _, n := range counts {
		if n != nil {
			*dst = *n
			return
		}
	}
}

// chatChunk is a Chat Completions (or legacy Completions) response, streamed
// as chunks or whole.
type chatChunk struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	chatContent
}

// chatContent is a chatChunk without its id and model, which every chunk of
// a stream repeats: once they are known, chunks are decoded into this alone.
type chatContent struct {
	Choices []chatChoice    `json:"choices"`
	Usage   *openAIUsage    `json:"usage"`
	Error   json.RawMessage `json:"error"`
}

type chatChoice struct {
	Index        int         `json:"index"`
	Delta        chatMessage `json:"delta"`   // a streamed chunk
	Message      chatMessage `json:"message"` // a whole response
	Text         string      `json:"text"`    // legacy Completions
	FinishReason name        `json:"finish_reason"`
}

type chatMessage struct {
	Content          string `json:"content"`
	Refusal          string `json:"refusal"`
	ReasoningContent string `json:"reasoning_content"` // vLLM, DeepSeek
	Reasoning        string `json:"reasoning"`         // Ollama, OpenRouter
}

// chatStream decodes Chat Completions and Completions chunks: deltas in
// choices[].delta.content (or choices[].text), finish_reason in the last
// chunk of each choice, usage in a final chunk with no choices when the
// request set stream_options.include_usage, then data: [DONE].
type chatStream struct {
	chunk chatChunk // reused, so that a chunk costs few allocations
}

var doneMarker = []byte("[DONE]")

func (s *chatStream) decode(c *call, _, data []byte) {
	if bytes.Equal(bytes.TrimSpace(data), doneMarker) {
		c.complete()
		return
	}
	choices := s.chunk.Choices[:cap(s.chunk.Choices)]
	clear(choices)
	s.chunk = chatChunk{chatContent: chatContent{Choices: choices[:0]}}
	var into any = &s.chunk
	if c.model != "" && c.id != "" {
		into = &s.chunk.chatContent
	}
	if !c.decodeEvent("chunk", data, into) {
		return
	}
	ch := &s.chunk
	if len(ch.Error) > 0 && string(ch.Error) != "null" {
		b := errorBody{Error: ch.Error}
		c.fail(b.apiError(c.status))
		return
	}
	c.meta(ch.Model, ch.ID)
	for i := range ch.Choices {
		x := &ch.Choices[i]
		c.token(FieldReasoning, x.Delta.ReasoningContent, x.Index)
		c.token(FieldReasoning, x.Delta.Reasoning, x.Index)
		c.token(FieldCompletion, x.Delta.Content, x.Index)
		c.token(FieldCompletion, x.Text, x.Index)
		c.token(FieldRefusal, x.Delta.Refusal, x.Index)
		c.setFinish(x.Index, string(x.FinishReason))
	}
	if ch.Usage != nil {
		ch.Usage.apply(c)
	}
}

func decodeChatBody(c *call, body []byte) {
	var ch chatChunk
	if !c.decodeJSON("response", body, &ch) {
		return
	}
	c.meta(ch.Model, ch.ID)
	for i := range ch.Choices {
		x := &ch.Choices[i]
		c.setFinish(x.Index, string(x.FinishReason))
		if x.Index == 0 && c.in.capture {
			c.addCompletion(x.Message.Content + x.Text)
		}
	}
	if ch.Usage != nil {
		ch.Usage.apply(c)
	}
}

// responsesObject is a Responses API response, whole or inside the
// response.* events of a stream.
type responsesObject struct {
	ID                string `json:"id"`
	Model             string `json:"model"`
	Status            string `json:"status"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
	Error  *providerError `json:"error"`
	Output []struct {
		Type    string `json:"type"`
		Content []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"content"`
	} `json:"output"`
	Usage *openAIUsage `json:"usage"`
}

// apply records what r tells and ends the call if r failed; it returns
// whether the call was ended.
func (r *responsesObject) apply(c *call) bool {
	c.meta(r.Model, r.ID)
	if r.Usage != nil {
		r.Usage.apply(c)
	}
	switch {
	case r.IncompleteDetails != nil && r.IncompleteDetails.Reason != "":
		c.setFinish(0, r.IncompleteDetails.Reason)
	case r.Status != "" && r.Status != "in_progress" && r.Status != "queued":
		c.setFinish(0, r.Status)
	}
	if r.Status == "failed" {
		e := &APIError{StatusCode: c.status}
		if r.Error != nil {
			e = r.Error.apiError(c.status)
		}
		c.fail(e)
		return true
	}
	return false
}

// responsesEvent is one event of a Responses API stream.
type responsesEvent struct {
	Type     name             `json:"type"`
	Delta    string           `json:"delta"`
	Response *responsesObject `json:"response"`
	Code     flexString       `json:"code"`    // "error" events
	Message  string           `json:"message"` // "error" events
}

// responsesStream decodes a Responses API stream: text in
// response.output_text.delta events, usage and status in response.completed
// (or response.incomplete, response.failed), failures in error events.
type responsesStream struct {
	ev responsesEvent
}

func (s *responsesStream) decode(c *call, _, data []byte) {
	s.ev = responsesEvent{}
	if !c.decodeEvent("event", data, &s.ev) {
		return
	}
	ev := &s.ev
	switch ev.Type {
	case "response.output_text.delta":
		c.token(FieldCompletion, ev.Delta, 0)
	case "response.reasoning_text.delta", "response.reasoning_summary_text.delta":
		c.token(FieldReasoning, ev.Delta, 0)
	case "response.refusal.delta":
		c.token(FieldRefusal, ev.Delta, 0)
	case "response.created", "response.in_progress":
		if ev.Response != nil {
			c.meta(ev.Response.Model, ev.Response.ID)
		}
	case "response.completed", "response.incomplete", "response.failed":
		if ev.Response != nil && ev.Response.apply(c) {
			return
		}
		if ev.Type == "response.failed" {
			c.fail(&APIError{StatusCode: c.status})
			return
		}
		c.complete()
	case "error":
		c.fail(&APIError{StatusCode: c.status, Code: string(ev.Code), Message: ev.Message})
	}
}

func decodeResponsesBody(c *call, body []byte) {
	var r responsesObject
	if !c.decodeJSON("response", body, &r) {
		return
	}
	if c.in.capture {
		for _, o := range r.Output {
			for _, part := range o.Content {
				if part.Type == "output_text" {
					c.addCompletion(part.Text)
				}
			}
		}
	}
	r.apply(c)
}

// decodeBody reads a whole (not streamed) response of format a into c.
func (a api) decodeBody(c *call, body []byte) {
	switch a {
	case apiResponses:
		decodeResponsesBody(c, body)
	case apiMessages:
		decodeAnthropicBody(c, body)
	default:
		decodeChatBody(c, body)
	}
}
