package llmhttp

// anthropicUsage is the usage object of the Messages API. input_tokens there
// excludes the cached input, which the cache_* counts report apart.
type anthropicUsage struct {
	InputTokens              *int64 `json:"input_tokens"`
	OutputTokens             *int64 `json:"output_tokens"`
	CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
}

func (u *anthropicUsage) apply(c *call) {
	set(&c.usage.input, u.InputTokens)
	set(&c.usage.output, u.OutputTokens)
	set(&c.usage.cacheCreation, u.CacheCreationInputTokens)
	set(&c.usage.cacheRead, u.CacheReadInputTokens)
}

// anthropicMessage is a Messages API response, whole or in message_start.
type anthropicMessage struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	StopReason string          `json:"stop_reason"`
	Usage      *anthropicUsage `json:"usage"`
}

// anthropicEvent is one event of a Messages API stream.
type anthropicEvent struct {
	Type    name              `json:"type"`
	Message *anthropicMessage `json:"message"`
	Delta   struct {
		Type       name   `json:"type"`
		Text       string `json:"text"`
		Thinking   string `json:"thinking"`
		StopReason name   `json:"stop_reason"`
	} `json:"delta"`
	Usage *anthropicUsage `json:"usage"`
	Error *providerError  `json:"error"`
}

// anthropicStream decodes a Messages API stream: message_start (model, input
// usage), content_block_delta (text_delta, thinking_delta), message_delta
// (stop_reason, cumulative usage), message_stop, and error events.
type anthropicStream struct {
	ev anthropicEvent
}

func (s *anthropicStream) decode(c *call, _, data []byte) {
	s.ev = anthropicEvent{}
	if !c.decodeEvent("event", data, &s.ev) {
		return
	}
	ev := &s.ev
	switch ev.Type {
	case "content_block_delta":
		switch ev.Delta.Type {
		case "text_delta":
			c.token(FieldCompletion, ev.Delta.Text, 0)
		case "thinking_delta":
			c.token(FieldReasoning, ev.Delta.Thinking, 0)
		}
	case "message_start":
		if m := ev.Message; m != nil {
			c.meta(m.Model, m.ID)
			if m.Usage != nil {
				m.Usage.apply(c)
			}
		}
	case "message_delta":
		c.setFinish(0, string(ev.Delta.StopReason))
		if ev.Usage != nil {
			ev.Usage.apply(c)
		}
	case "message_stop":
		c.complete()
	case "error":
		e := &APIError{StatusCode: c.status}
		if ev.Error != nil {
			e = ev.Error.apiError(c.status)
		}
		c.fail(e)
	}
}

func decodeAnthropicBody(c *call, body []byte) {
	var m anthropicMessage
	if !c.decodeJSON("response", body, &m) {
		return
	}
	c.meta(m.Model, m.ID)
	c.setFinish(0, m.StopReason)
	if m.Usage != nil {
		m.Usage.apply(c)
	}
	if c.in.capture {
		for _, part := range m.Content {
			if part.Type == "text" {
				c.addCompletion(part.Text)
			}
		}
	}
}
