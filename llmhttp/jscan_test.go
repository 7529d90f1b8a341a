package llmhttp

import (
	"bytes"
	"encoding/json"
	"testing"
)

// scanAll walks any JSON document with the scanner, skipping every value.
func scanAll(doc []byte) error {
	var s scanner
	s.reset(doc)
	s.skip()
	s.end()
	return s.err
}

func TestScannerSyntax(t *testing.T) {
	valid := []string{
		`{}`, `[]`, `""`, `0`, `-0.5e+10`, `true`, `null`, ` {"a" : [1, {"b":null}, "x\"y\\u00e9\n"] } `,
		`{"a":{},"b":[],"c":[[]]}`, `"\ud83d\ude00"`,
	}
	invalid := []string{
		``, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `[1,]`, `[,1]`, `{"a":1 "b":2}`, `[1 2]`, `01`, `1.`, `-`, `1e`,
		`tru`, `nul`, `"abc`, `"\x"`, `"\u12"`, `{"a":1}}`, `{} x`, `{1:2}`, `'a'`,
	}
	for _, doc := range valid {
		if err := scanAll([]byte(doc)); err != nil {
			t.Errorf("%s: %v, want valid", doc, err)
		}
	}
	for _, doc := range invalid {
		if err := scanAll([]byte(doc)); err == nil {
			t.Errorf("%q: accepted, want a syntax error", doc)
		}
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct{ raw, want string }{
		{`plain`, "plain"},
		{`a\"b\\c\/d`, `a"b\c/d`},
		{`\b\f\n\r\t`, "\b\f\n\r\t"},
		{`caf\u00e9`, "café"},
		{`\ud83d\ude00!`, "😀!"},
		{`\ud83d alone`, "\uFFFD alone"},
		{`\ude00`, "\uFFFD"},
	}
	for _, tt := range tests {
		if got := string(unescape(nil, []byte(tt.raw))); got != tt.want {
			t.Errorf("unescape(%q) = %q, want %q", tt.raw, got, tt.want)
		}
		var fromJSON string
		if err := json.Unmarshal([]byte(`"`+tt.raw+`"`), &fromJSON); err != nil || fromJSON != tt.want {
			t.Errorf("encoding/json reads %q as %q, %v; the test expects %q", tt.raw, fromJSON, err, tt.want)
		}
	}
}

// TestChatChunkTypeErrors checks that a member of the wrong type spoils
// only itself, as with encoding/json.
func TestChatChunkTypeErrors(t *testing.T) {
	var s scanner
	var ch chatChunk
	s.reset([]byte(`{"id":7,"model":"m","choices":[{"index":"0","delta":{"content":["x"]}},{"index":1,"delta":{"content":"Hi"}}]}`))
	s.readChatChunk(&ch)
	s.end()
	if s.err != nil || s.typeErr == nil {
		t.Fatalf("err %v, typeErr %v; want only a type error", s.err, s.typeErr)
	}
	if ch.model.String() != "m" || len(ch.choices) != 2 || ch.choices[1].content.String() != "Hi" || ch.choices[1].index != 1 {
		t.Fatalf("chunk %+v", ch)
	}
}

// chatChunkJSON is the reference decoding of a chunk, by encoding/json.
type chatChunkJSON struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Choices []struct {
		Index int `json:"index"`
		Delta struct {
			Content   string `json:"content"`
			ToolCalls []struct {
				Index    int    `json:"index"`
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"delta"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		PromptTokens     int64 `json:"prompt_tokens"`
		CompletionTokens int64 `json:"completion_tokens"`
	} `json:"usage"`
}

// FuzzChatChunk checks the scanner against encoding/json: the same
// documents are valid, and a valid chunk yields the same fields.
func FuzzChatChunk(f *testing.F) {
	for _, seed := range []string{
		`{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hello \u00e9\n"},"finish_reason":null}],"usage":null}`,
		`{"choices":[{"index":1,"delta":{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f","arguments":"{\"a\":1}"}}]}}]}`,
		`{"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":4}}}`,
		`{"id":"c","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop","logprobs":{"content":[{"token":"x","bytes":[120]}]}}]}`,
		`{"error":{"message":"m","type":"t"}}`, `[]`, `{"a":`, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		// The scanner lets raw control characters through in strings, so
		// for a document holding any it may only be less strict.
		lenient := bytes.ContainsFunc(doc, func(r rune) bool { return r < ' ' })
		err := scanAll(doc)
		if valid := json.Valid(doc); valid != (err == nil) && !(lenient && !valid) {
			t.Fatalf("%q: encoding/json valid=%v, scanner err=%v", doc, valid, err)
		}
		// encoding/json matches keys without regard to case or escapes,
		// and reads members the scanner also reads in other places
		// (message, function_call, input_tokens): such documents are only
		// checked for validity.
		if bytes.ContainsAny(doc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ\\") ||
			bytes.Contains(doc, []byte(`"message"`)) || bytes.Contains(doc, []byte("function_call")) ||
			bytes.Contains(doc, []byte("input_tokens")) || bytes.Contains(doc, []byte("output_tokens")) {
			return
		}
		var ref chatChunkJSON
		if json.Unmarshal(doc, &ref) != nil {
			return // invalid, or of the wrong types: compared above
		}
		for _, c := range ref.Choices {
			if c.Index < 0 || c.Index >= maxChoices || len(c.Delta.ToolCalls) > maxToolCalls {
				return // the scanner ignores what is out of bounds
			}
			for _, tc := range c.Delta.ToolCalls {
				if tc.Index < 0 || tc.Index >= maxToolCalls {
					return
				}
			}
		}
		if len(ref.Choices) > maxChoices {
			return
		}
		var s scanner
		var ch chatChunk
		s.reset(doc)
		s.readChatChunk(&ch)
		s.end()
		if s.err != nil || s.typeErr != nil {
			t.Fatalf("%q: scanner err %v, typeErr %v; encoding/json read it", doc, s.err, s.typeErr)
		}
		if !bytes.HasPrefix(bytes.TrimSpace(doc), []byte("{")) {
			return
		}
		if ch.id.String() != ref.ID || ch.model.String() != ref.Model || len(ch.choices) != len(ref.Choices) {
			t.Fatalf("%q: scanner %+v, encoding/json %+v", doc, ch, ref)
		}
		for i, x := range ch.choices {
			r := ref.Choices[i]
			if x.index != r.Index || x.content.String() != r.Delta.Content || x.finis.String() != r.FinishReason ||
				len(x.tools) != len(r.Delta.ToolCalls) {
				t.Fatalf("%q: choice %d: scanner %+v, encoding/json %+v", doc, i, x, r)
			}
			for j, tc := range x.tools {
				rt := r.Delta.ToolCalls[j]
				if tc.index != rt.Index || tc.id.String() != rt.ID || tc.name.String() != rt.Function.Name || tc.args.String() != rt.Function.Arguments {
					t.Fatalf("%q: tool call %d: scanner %+v, encoding/json %+v", doc, j, tc, rt)
				}
			}
		}
		if (ref.Usage != nil) != ch.hasUsage || ref.Usage != nil &&
			(max(ch.usage.input, 0) != ref.Usage.PromptTokens || max(ch.usage.output, 0) != ref.Usage.CompletionTokens) {
			t.Fatalf("%q: usage: scanner %+v, encoding/json %+v", doc, ch.usage, ref.Usage)
		}
	})
}
