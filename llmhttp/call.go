package llmhttp

import (
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// call is one instrumented LLM call: its execution and what the response has
// told so far. A response body's Read and Close may run on different
// goroutines, so the fields after mu are guarded by it; the methods below are
// called with mu held.
type call struct {
	in      *instrumenter
	ex      *bus.Execution
	api     api
	started time.Time

	mu          sync.Mutex
	ended       bool
	streamed    bool // the response is an event stream
	status      int
	model, id   string
	finish      []string // by choice index
	usage       usage
	tokens      int64
	ttft        time.Duration
	completion  []byte
	truncated   bool
	parseErr    string
	parseErrors int
	events      eventDecoder // decodes the events of a stream
}

// usage holds the token counts a response reported; -1 means not reported.
type usage struct {
	input, output, cacheRead, cacheCreation int64
}

// maxChoices bounds the choice index the middleware tracks; a larger index
// (from a confused server) is not worth an allocation.
const maxChoices = 128

func (c *call) meta(model, id string) {
	if model != "" {
		c.model = model
	}
	if id != "" {
		c.id = id
	}
}

func (c *call) setFinish(choice int, reason string) {
	if reason == "" || choice < 0 || choice >= maxChoices {
		return
	}
	for len(c.finish) <= choice {
		c.finish = append(c.finish, "")
	}
	c.finish[choice] = reason
}

// token emits one streamed delta of field.
func (c *call) token(field, text string, choice int) {
	if text == "" {
		return
	}
	if c.tokens == 0 {
		c.ttft = time.Since(c.started)
	}
	d := make(map[string]any, 4)
	d[events.KeyTokenIndex] = c.tokens
	c.tokens++
	d[events.KeyField] = fieldValue(field)
	if choice > 0 {
		d[KeyChoiceIndex] = choice
	}
	if c.in.capture {
		t, cut := c.in.clip(text)
		d[events.KeyToken] = t
		if cut {
			d[KeyContentTruncated] = true
		}
		if field == FieldCompletion && choice == 0 {
			c.addCompletion(text)
		}
	} else {
		d[KeyTokenChars] = utf8.RuneCountInString(text)
	}
	c.ex.Emit(events.TypeToken, d)
}

// The token fields as interface values, made once: converting a string to
// an interface allocates.
var (
	completionValue any = FieldCompletion
	reasoningValue  any = FieldReasoning
	refusalValue    any = FieldRefusal
)

func fieldValue(field string) any {
	switch field {
	case FieldCompletion:
		return completionValue
	case FieldReasoning:
		return reasoningValue
	case FieldRefusal:
		return refusalValue
	}
	return field
}

// addCompletion appends to the captured completion, up to the cap.
func (c *call) addCompletion(text string) {
	if c.truncated {
		return
	}
	if limit := c.in.maxContent; limit >= 0 && len(c.completion)+len(text) > limit {
		text, _ = clip(text, limit-len(c.completion))
		c.truncated = true
	}
	c.completion = append(c.completion, text...)
}

// decodeJSON decodes a whole response body into v and reports whether v
// holds anything usable; see decoded.
func (c *call) decodeJSON(what string, data []byte, v any) bool {
	return c.decoded(what, json.Unmarshal(data, v))
}

// decodeEvent decodes the data of a stream's event into v, as decodeJSON.
func (c *call) decodeEvent(what string, data []byte, v any) bool {
	return c.decoded(what, c.events.decode(data, v))
}

// decoded reports whether a value decoded with err is usable. A value of an
// unexpected type spoils only its own field, so the rest is still used;
// other errors spoil all of it. Either is noted in the end event's
// parse_error.
func (c *call) decoded(what string, err error) bool {
	if err == nil {
		return true
	}
	c.parseFailed(what, err)
	var typeErr *json.UnmarshalTypeError
	return errors.As(err, &typeErr)
}

func (c *call) parseFailed(what string, err error) {
	c.parseErrors++
	if c.parseErr == "" {
		c.parseErr = what + ": " + err.Error()
	}
}

// complete ends the call successfully: the provider's final event arrived.
func (c *call) complete() { c.end(nil) }

// fail ends the call with the provider's error.
func (c *call) fail(err *APIError) { c.end(err) }

// end emits the end event, or the error event when err is not nil, with
// everything the response told. Only the first end counts.
func (c *call) end(err error) {
	if c.ended {
		return
	}
	c.ended = true
	d := make(map[string]any, 14)
	if c.status != 0 {
		d[KeyHTTPStatusCode] = c.status
	}
	if c.model != "" {
		d[events.KeyGenAIResponseModel] = c.model
	}
	if c.id != "" {
		d[events.KeyGenAIResponseID] = c.id
	}
	if reasons := finishReasons(c.finish); len(reasons) > 0 {
		d[events.KeyGenAIResponseFinishReasons] = reasons
	}
	c.addUsage(d)
	if c.tokens > 0 {
		d[KeyTimeToFirstToken] = c.ttft.Seconds()
	}
	if c.in.capture && (c.completion != nil || c.streamed) {
		d[KeyGenAICompletion] = string(c.completion)
		if c.truncated {
			d[KeyContentTruncated] = true
		}
	}
	if c.parseErr != "" {
		msg := c.parseErr
		if c.parseErrors > 1 {
			msg += " (and " + strconv.Itoa(c.parseErrors-1) + " more)"
		}
		d[KeyParseError] = msg
	}
	var apiErr *APIError
	var incomplete *IncompleteError
	switch {
	case errors.As(err, &apiErr):
		d[KeyProviderErrorType] = apiErr.kind()
	case errors.As(err, &incomplete) && c.streamed:
		d[KeyStreamIncomplete] = true
	}
	c.completion = nil
	c.ex.EndWith(d, err)
}

func (c *call) addUsage(d map[string]any) {
	u := c.usage
	input := u.input
	if c.api == apiMessages && input >= 0 {
		// Anthropic counts cached input apart; OpenTelemetry's input_tokens
		// includes it, as OpenAI's prompt_tokens does.
		input += max(u.cacheRead, 0) + max(u.cacheCreation, 0)
	}
	for _, kv := range []struct {
		key string
		n   int64
	}{
		{events.KeyGenAIUsageInputTokens, input},
		{events.KeyGenAIUsageOutputTokens, u.output},
		{KeyGenAIUsageCacheReadInputTokens, u.cacheRead},
		{KeyGenAIUsageCacheCreationInputTokens, u.cacheCreation},
	} {
		if kv.n >= 0 {
			d[kv.key] = kv.n
		}
	}
}

// finishReasons lists the reasons in choice order, skipping choices that
// reported none.
func finishReasons(byChoice []string) []string {
	var out []string
	for _, r := range byChoice {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

// clip cuts s to at most limit bytes, at a character boundary, and reports
// whether it cut. A negative limit means no cap.
func clip(s string, limit int) (string, bool) {
	if limit < 0 || len(s) <= limit {
		return s, false
	}
	i := limit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i], true
}

func (in *instrumenter) clip(s string) (string, bool) { return clip(s, in.maxContent) }
