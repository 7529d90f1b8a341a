package llmhttp

import (
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
	in       *instrumenter
	ex       *bus.Execution
	api      api
	started  time.Time
	reqModel string // the model the request asked for

	mu          sync.Mutex
	ended       bool
	streamed    bool // the response is a stream of events
	status      int
	model, id   string
	finish      []string // by choice index
	usage       usage
	tokens      int64
	ttft        time.Duration // 0 until the first output
	completion  []byte
	truncated   bool
	tools       []toolCall
	headers     map[string]any // rate-limit and retry headers, by data key
	parseErr    string
	parseErrors int
	scan        scanner // reused by each event's decoding
}

// usage holds the token counts a response reported; -1 means not reported.
type usage struct {
	input, output, cacheRead, cacheCreation, reasoning int64
	// cost is the provider's own cost figure, when costKnown.
	cost      float64
	costKnown bool
}

func noUsage() usage { return usage{-1, -1, -1, -1, -1, 0, false} }

// maxChoices bounds the choice index the middleware tracks; a larger index
// (from a confused server) is not worth an allocation.
const maxChoices = 128

// meta records the response's model and id; the strings are made only when
// they change.
func (c *call) meta(model, id jtext) {
	if !model.empty() && !model.equal(c.model) {
		c.model = model.String()
	}
	if !id.empty() && !id.equal(c.id) {
		c.id = id.String()
	}
}

func (c *call) setFinish(choice int, reason jtext) {
	if reason.empty() || choice < 0 || choice >= maxChoices {
		return
	}
	for len(c.finish) <= choice {
		c.finish = append(c.finish, "")
	}
	if !reason.equal(c.finish[choice]) {
		c.finish[choice] = internName(reason)
	}
}

// output notes that the response produced something (text or a tool call),
// for the time to first token.
func (c *call) output() {
	if c.ttft == 0 && c.streamed {
		c.ttft = max(time.Since(c.started), time.Nanosecond)
	}
}

// token emits one streamed delta of field.
func (c *call) token(field string, text jtext, choice int) {
	if text.empty() {
		return
	}
	c.output()
	d := make(map[string]any, 4)
	c.tokenData(d, field, text, choice)
	if c.in.capture && field == FieldCompletion && choice == 0 {
		c.addCompletion(text)
	}
	c.ex.Emit(events.TypeToken, d)
}

// tokenData fills the data every token event has.
func (c *call) tokenData(d map[string]any, field string, text jtext, choice int) {
	d[events.KeyTokenIndex] = c.tokens
	c.tokens++
	d[events.KeyField] = fieldValue(field)
	if choice > 0 {
		d[KeyChoiceIndex] = choice
	}
	if c.in.capture {
		t, cut := c.in.clip(text.String())
		d[events.KeyToken] = t
		if cut {
			d[KeyContentTruncated] = true
		}
	} else {
		d[KeyTokenChars] = text.runes()
	}
}

// The token fields as interface values, made once: converting a string to
// an interface allocates.
var (
	completionValue any = FieldCompletion
	reasoningValue  any = FieldReasoning
	refusalValue    any = FieldRefusal
	toolCallValue   any = FieldToolCall
)

func fieldValue(field string) any {
	switch field {
	case FieldCompletion:
		return completionValue
	case FieldReasoning:
		return reasoningValue
	case FieldRefusal:
		return refusalValue
	case FieldToolCall:
		return toolCallValue
	}
	return field
}

// addCompletion appends to the captured completion, up to the cap.
func (c *call) addCompletion(text jtext) {
	if c.truncated || text.empty() {
		return
	}
	n := len(c.completion)
	c.completion = appendText(c.completion, text)
	if limit := c.in.maxContent; limit >= 0 && len(c.completion) > limit {
		kept, _ := clip(string(c.completion[n:]), limit-n)
		c.completion = c.completion[:n+len(kept)]
		c.truncated = true
	}
}

// scanned reports whether a document the scanner s read is usable: a syntax
// error spoils all of it, a value of an unexpected type only its own member
// (as encoding/json leaves such a field unset). Either is noted in the end
// event's parse_error.
func (c *call) scanned(what string, s *scanner) bool {
	s.end()
	switch {
	case s.err != nil:
		c.parseFailed(what, s.err)
		return false
	case s.typeErr != nil:
		c.parseFailed(what, s.typeErr)
	}
	return true
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
	if c.ttft > 0 {
		d[KeyTimeToFirstToken] = c.ttft.Seconds()
	}
	if len(c.tools) > 0 {
		d[KeyToolCalls] = c.toolCallsData()
	}
	for k, v := range c.headers {
		d[k] = v
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

// addUsage adds the token counts and the cost; EndWith adds their total
// (tokens) from the counts.
func (c *call) addUsage(d map[string]any) {
	u := c.inputIncludingCache()
	for _, kv := range []struct {
		key string
		n   int64
	}{
		{events.KeyGenAIUsageInputTokens, u.input},
		{events.KeyGenAIUsageOutputTokens, u.output},
		{KeyGenAIUsageCacheReadInputTokens, u.cacheRead},
		{KeyGenAIUsageCacheCreationInputTokens, u.cacheCreation},
		{KeyGenAIUsageReasoningOutputTokens, u.reasoning},
	} {
		if kv.n >= 0 {
			d[kv.key] = kv.n
		}
	}
	if u.input < 0 && u.output < 0 {
		return
	}
	c.addCost(d, u)
}

// inputIncludingCache returns the usage with input_tokens counting the
// cached input too, as OpenTelemetry's gen_ai.usage.input_tokens (and
// OpenAI's prompt_tokens) do; Anthropic reports cached input apart.
func (c *call) inputIncludingCache() usage {
	u := c.usage
	if c.api == apiMessages && u.input >= 0 {
		u.input += max(u.cacheRead, 0) + max(u.cacheCreation, 0)
	}
	return u
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
