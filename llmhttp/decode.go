package llmhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// eventDecoder decodes the JSON document of each event of a stream, reusing
// one json.Decoder, so that an event costs no allocations beyond the strings
// it yields (json.Unmarshal would allocate its decoding state each time).
type eventDecoder struct {
	r   bytes.Reader
	dec *json.Decoder
	fed int64 // bytes given to dec so far: its offsets count from its start
}

var errTrailingData = errors.New("data after the JSON value")

// decode decodes data, which must hold one JSON value, into v.
func (d *eventDecoder) decode(data []byte, v any) error {
	if d.dec == nil {
		d.dec = json.NewDecoder(&d.r)
		d.fed = 0
	}
	d.r.Reset(data)
	start := d.fed
	d.fed += int64(len(data))
	err := d.dec.Decode(v)
	switch {
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	case err == nil:
		if rest := data[d.dec.InputOffset()-start:]; len(bytes.TrimSpace(rest)) > 0 {
			err = errTrailingData
		}
	}
	if err != nil {
		d.dec = nil // a Decoder that failed may be stuck; start afresh
	}
	return err
}

// name is a JSON string that usually holds one of a few known values (event
// types, delta types, finish reasons); those are decoded without allocating.
type name string

var knownNames = func() map[string]name {
	m := map[string]name{}
	for _, s := range []string{
		// Anthropic
		"message_start", "content_block_start", "content_block_delta", "content_block_stop",
		"message_delta", "message_stop", "ping", "error", "text_delta", "thinking_delta",
		"input_json_delta", "signature_delta", "end_turn", "max_tokens", "stop_sequence", "tool_use",
		// OpenAI Responses
		"response.created", "response.in_progress", "response.completed", "response.incomplete",
		"response.failed", "response.output_item.added", "response.output_item.done",
		"response.content_part.added", "response.content_part.done", "response.output_text.delta",
		"response.output_text.done", "response.reasoning_text.delta", "response.reasoning_summary_text.delta",
		"response.refusal.delta", "response.function_call_arguments.delta",
		// OpenAI finish reasons
		"stop", "length", "tool_calls", "content_filter", "function_call",
	} {
		m[s] = name(s)
	}
	return m
}()

func (n *name) UnmarshalJSON(b []byte) error {
	if len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0 {
		if known, ok := knownNames[string(b[1:len(b)-1])]; ok {
			*n = known
			return nil
		}
	}
	// Anything but a string (null included) reads as "": a field of the
	// wrong type must not stop the rest of the value from being decoded.
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, (*string)(n)) != nil {
		*n = ""
	}
	return nil
}
