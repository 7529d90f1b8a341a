package llmhttp

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/streamll/streamll-go/events"
)

// api is one of the request formats the middleware understands.
type api uint8

const (
	apiChat           api = iota + 1 // OpenAI Chat Completions, and compatible servers
	apiCompletions                   // OpenAI legacy Completions, and compatible servers
	apiResponses                     // OpenAI Responses
	apiMessages                      // Anthropic Messages
	apiOllamaChat                    // Ollama's native /api/chat
	apiOllamaGenerate                // Ollama's native /api/generate
)

// method is the method_name of the call's events.
func (a api) method() string {
	switch a {
	case apiChat:
		return "chat_completions"
	case apiCompletions:
		return "completions"
	case apiResponses:
		return "responses"
	case apiOllamaChat:
		return "ollama_chat"
	case apiOllamaGenerate:
		return "ollama_generate"
	}
	return "messages"
}

// ollama reports whether a is one of Ollama's native APIs.
func (a api) ollama() bool { return a == apiOllamaChat || a == apiOllamaGenerate }

// operationName is gen_ai.operation.name.
func (a api) operationName() string {
	if a == apiCompletions || a == apiOllamaGenerate {
		return "text_completion"
	}
	return "chat"
}

// matchPath recognises an LLM call by its method and path; the body is
// checked later. Paths are matched by their end, so that base URLs with a
// prefix (/v1, /openai/v1, /openai/deployments/x, a proxy's /api/llm/v1)
// all work.
func matchPath(req *http.Request) (api, bool) {
	if req.Method != http.MethodPost || req.URL == nil {
		return 0, false
	}
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return apiChat, true
	case strings.HasSuffix(p, "/completions"):
		return apiCompletions, true
	case strings.HasSuffix(p, "/responses"):
		return apiResponses, true
	case strings.HasSuffix(p, "/messages"):
		return apiMessages, true
	case strings.HasSuffix(p, "/api/chat"):
		return apiOllamaChat, true
	case strings.HasSuffix(p, "/api/generate"):
		return apiOllamaGenerate, true
	}
	return 0, false
}

// system is gen_ai.system for a call of format a to host.
func system(a api, host string) string {
	switch {
	case a == apiMessages:
		return SystemAnthropic
	case a.ollama():
		return SystemOllama
	}
	host = strings.ToLower(host)
	switch {
	case host == "api.openai.com":
		return SystemOpenAI
	case strings.HasSuffix(host, ".openai.azure.com"):
		return SystemAzureOpenAI
	}
	return SystemOpenAICompatible
}

// present records whether a JSON member is there without keeping its
// value: absent (or null), empty ("", [] or {}), or holding something.
type present uint8

const (
	absent present = iota
	emptyValue
	filled
)

func (p *present) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*p = absent
	case len(b) >= 2 && (b[0] == '"' || b[0] == '[' || b[0] == '{') && len(bytes.TrimSpace(b[1:len(b)-1])) == 0:
		*p = emptyValue
	default:
		*p = filled
	}
	return nil
}

// requestBody holds what the start event needs from a request body.
type requestBody struct {
	Model               string   `json:"model"`
	Stream              *bool    `json:"stream"`
	Temperature         *float64 `json:"temperature"`
	MaxTokens           *int64   `json:"max_tokens"`
	MaxCompletionTokens *int64   `json:"max_completion_tokens"`
	MaxOutputTokens     *int64   `json:"max_output_tokens"`
	Messages            present  `json:"messages"`
	Input               present  `json:"input"`
	Prompt              present  `json:"prompt"`
	StreamOptions       *struct {
		IncludeUsage *bool `json:"include_usage"`
	} `json:"stream_options"`
	Options *struct { // Ollama
		Temperature *float64 `json:"temperature"`
		NumPredict  *int64   `json:"num_predict"`
	} `json:"options"`
}

// isCall reports whether b looks like a request of format a, so that a
// service that happens to have a /messages endpoint is left alone. Ollama's
// requests with no messages or prompt only load or unload a model.
func (b *requestBody) isCall(a api) bool {
	switch a {
	case apiChat:
		return b.Messages != absent
	case apiCompletions:
		return b.Prompt != absent
	case apiResponses:
		return b.Model != "" || b.Input != absent
	case apiOllamaChat:
		return b.Model != "" && b.Messages == filled
	case apiOllamaGenerate:
		return b.Model != "" && b.Prompt == filled
	}
	return b.Model != "" && b.Messages != absent
}

// streamed reports whether the request asks for a streamed response:
// Ollama streams unless told not to, the others only when told to.
func (b *requestBody) streamed(a api) bool {
	if b.Stream == nil {
		return a.ollama()
	}
	return *b.Stream
}

// promptMembers are the members of each format's request that hold the
// prompt, in the order they are recorded.
func (a api) promptMembers() []string {
	switch a {
	case apiChat:
		return []string{"messages"}
	case apiCompletions:
		return []string{"prompt"}
	case apiResponses:
		return []string{"instructions", "input"}
	case apiOllamaChat:
		return []string{"messages"}
	case apiOllamaGenerate:
		return []string{"system", "prompt"}
	}
	return []string{"system", "messages"}
}

// maxRequestBytes bounds the request body the middleware reads to inspect it;
// a larger body is sent as it is, uninspected.
const maxRequestBytes = 16 << 20

// requestInfo is what the call keeps from its request besides the start
// event.
type requestInfo struct {
	model string
	// askUsage: Config.IncludeUsage applies, since this is a streamed Chat
	// Completions request that does not say whether it wants usage.
	askUsage bool
}

// startData inspects a request body of format a and returns the start event's
// data, or ok false when the body is not such a request. skip, when set, says
// why the body was not inspected.
func (in *instrumenter) startData(a api, req *http.Request, raw []byte, skip string) (data map[string]any, info requestInfo, ok bool) {
	data = make(map[string]any, 10)
	data[events.KeyGenAIOperationName] = a.operationName()
	data[events.KeyGenAISystem] = system(a, req.URL.Hostname())
	data[KeyServerAddress] = req.URL.Hostname()
	if n, err := strconv.Atoi(req.Header.Get("X-Stainless-Retry-Count")); err == nil {
		data[KeyHTTPResendCount] = n
	}
	if skip != "" {
		data[KeyParseError] = skip
		return data, info, true
	}
	var body requestBody
	if err := json.Unmarshal(raw, &body); err != nil {
		var typeErr *json.UnmarshalTypeError
		if !errors.As(err, &typeErr) {
			return nil, info, false
		}
		data[KeyParseError] = "request: " + err.Error()
	}
	if !body.isCall(a) {
		return nil, info, false
	}
	info.model = body.Model
	if body.Model != "" {
		data[events.KeyGenAIRequestModel] = body.Model
	}
	stream := body.streamed(a)
	data[KeyGenAIRequestStream] = stream
	info.askUsage = a == apiChat && stream && (body.StreamOptions == nil || body.StreamOptions.IncludeUsage == nil)
	temperature, maxTokens := body.Temperature, []*int64{body.MaxTokens, body.MaxCompletionTokens, body.MaxOutputTokens}
	if o := body.Options; o != nil {
		temperature = cmp.Or(temperature, o.Temperature)
		maxTokens = append(maxTokens, o.NumPredict)
	}
	if temperature != nil {
		data[events.KeyGenAIRequestTemperature] = *temperature
	}
	for _, m := range maxTokens {
		if m != nil {
			data[events.KeyGenAIRequestMaxTokens] = *m
			break
		}
	}
	if in.capture {
		if prompt := promptJSON(a, raw); prompt != "" {
			text, cut := in.clip(prompt)
			data[KeyGenAIPrompt] = text
			if cut {
				data[KeyContentTruncated] = true
			}
		}
	}
	return data, info, true
}

// promptJSON gathers the prompt members of a request body into one compact
// JSON object.
func promptJSON(a api, raw []byte) string {
	var all map[string]json.RawMessage
	if json.Unmarshal(raw, &all) != nil {
		return ""
	}
	var b bytes.Buffer
	for _, name := range a.promptMembers() {
		v, ok := all[name]
		if !ok {
			continue
		}
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(name))
		b.WriteByte(':')
		if json.Compact(&b, v) != nil {
			b.Write(v)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	b.WriteByte('}')
	return b.String()
}

// readRequest finds the bytes of req's body so that they can be inspected,
// and returns the request to send, which sends the same bytes. req itself is
// never modified; the returned request is a shallow copy when its body had to
// be replaced.
//
//   - ok with raw set: the whole body;
//   - ok with skip set: the body was not inspected (it is over
//     maxRequestBytes), skip says so, and the request sends it whole;
//   - !ok: the body could not be read (or there is none); the request replays
//     what was read followed by the same error, so the transport fails as it
//     would have.
func readRequest(req *http.Request) (out *http.Request, raw []byte, skip string, ok bool) {
	const tooLarge = "request body over 16 MiB not inspected"
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil, "", false
	}
	if req.ContentLength > maxRequestBytes {
		return req, nil, tooLarge, true
	}
	if req.GetBody != nil {
		// The SDKs set GetBody for retries: inspect a copy, send req as is.
		if body, err := req.GetBody(); err == nil {
			buf, err := readAtMost(body, req.ContentLength, maxRequestBytes)
			_ = body.Close()
			switch {
			case err == io.EOF:
				return req, buf, "", true
			case err == nil:
				return req, nil, tooLarge, true
			}
		}
	}
	// No copy to read: read the body itself and send what was read. A body
	// of unknown length that is still being produced (a pipe) is read to its
	// end (or the limit) before the request goes out.
	buf, err := readAtMost(req.Body, req.ContentLength, maxRequestBytes)
	out = new(http.Request)
	*out = *req
	switch {
	case err == io.EOF:
		_ = req.Body.Close()
		out.Body = io.NopCloser(bytes.NewReader(buf))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf)), nil }
		return out, buf, "", true
	case err == nil: // over the limit: send the rest unread
		out.Body = struct {
			io.Reader
			io.Closer
		}{io.MultiReader(bytes.NewReader(buf), req.Body), req.Body}
		return out, nil, tooLarge, true
	}
	out.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), failingReader{err}), req.Body}
	return out, nil, "", false
}

// readAtMost reads r until it ends or more than limit bytes have come. It
// returns io.EOF with the whole body, nil when the body is longer than the
// limit (the bytes read so far, limit+1 of them), or the read error.
func readAtMost(r io.Reader, hint int64, limit int) ([]byte, error) {
	if hint <= 0 {
		hint = 4096
	}
	buf := make([]byte, 0, min(hint, int64(limit))+1)
	for len(buf) <= limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):min(cap(buf), limit+1)])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// failingReader fails every Read with err.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
