package llmhttp

import (
	"bytes"
	"encoding/json"
)

// flexString reads a JSON string, number or null as text: providers disagree
// on the type of an error's code.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	case string(b) == "null":
		*f = ""
	default:
		*f = flexString(b)
	}
	return nil
}

// providerError is the error object of OpenAI ({"error":{...}}), Anthropic
// ({"type":"error","error":{...}}) and most compatible servers.
type providerError struct {
	Type    string     `json:"type"`
	Code    flexString `json:"code"`
	Message string     `json:"message"`
}

func (p *providerError) apiError(status int) *APIError {
	return &APIError{StatusCode: status, Type: p.Type, Code: string(p.Code), Message: p.Message}
}

// errorBody is every error body shape the middleware knows: error as an
// object or as a string (Ollama's native API), or the fields at the top level
// (vLLM: {"object":"error","type":...,"message":...,"code":400}).
type errorBody struct {
	Error   json.RawMessage `json:"error"`
	Type    string          `json:"type"`
	Code    flexString      `json:"code"`
	Message string          `json:"message"`
}

// parseAPIError reads the provider's error from a response body; whatever it
// cannot read is left empty, and the status is always there.
func parseAPIError(status int, body []byte) *APIError {
	var b errorBody
	if json.Unmarshal(body, &b) != nil {
		return &APIError{StatusCode: status}
	}
	return b.apiError(status)
}

// parseErrorValue reads the error member of an event or a response: an
// object with type, code and message, or a string (Ollama).
func parseErrorValue(status int, raw []byte) *APIError {
	b := errorBody{Error: raw}
	return b.apiError(status)
}

func (b *errorBody) apiError(status int) *APIError {
	raw := bytes.TrimSpace(b.Error)
	switch {
	case len(raw) > 0 && raw[0] == '{':
		var p providerError
		_ = json.Unmarshal(raw, &p)
		return p.apiError(status)
	case len(raw) > 0 && raw[0] == '"':
		e := &APIError{StatusCode: status}
		_ = json.Unmarshal(raw, &e.Message)
		return e
	}
	e := &APIError{StatusCode: status, Code: string(b.Code), Message: b.Message}
	if b.Type != "error" {
		e.Type = b.Type
	}
	return e
}
