package terminal_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/events"
)

// at is the time of every test event: it prints as 16:31:42.156 in UTC.
var at = time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC)

// ev builds an event of execution "abc123XYZ789" at the test time.
func ev(typ events.Type, op string, data map[string]any) *events.Event {
	return &events.Event{
		EventID:     events.NewID(),
		ExecutionID: "abc123XYZ789",
		Timestamp:   at,
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		EventType:   typ,
		Operation:   op,
		Data:        data,
	}
}

// token builds a token event of the given execution.
func token(execution, text string) *events.Event {
	e := ev(events.TypeToken, "llm_call", map[string]any{events.KeyToken: text, events.KeyTokenIndex: 0, events.KeyField: "answer"})
	e.ExecutionID = execution
	return e
}

// with returns e after applying change to it.
func with(e *events.Event, change func(*events.Event)) *events.Event {
	change(e)
	return e
}

// print writes each batch to a new uncoloured UTC sink built from cfg, closes
// it, and returns the output.
func print(t *testing.T, cfg terminal.Config, batches ...[]*events.Event) string {
	t.Helper()
	var out bytes.Buffer
	cfg.Output, cfg.Location = &out, time.UTC
	if cfg.Color == terminal.ColorAuto {
		cfg.Color = terminal.ColorNever
	}
	s, err := terminal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range batches {
		if err := s.Write(t.Context(), batch); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.String()
}

func TestLines(t *testing.T) {
	tests := []struct {
		name string
		ev   *events.Event
		want string
	}{
		{
			"start",
			ev(events.TypeStart, "llm_call", map[string]any{"question": "What is 2+2?"}),
			`[16:31:42.156] ▶ llm_call (abc123) ChatBot.forward {"question":"What is 2+2?"}`,
		},
		{
			"start without data",
			ev(events.TypeStart, "llm_call", nil),
			`[16:31:42.156] ▶ llm_call (abc123) ChatBot.forward`,
		},
		{
			"start with module only",
			with(ev(events.TypeStart, "llm_call", nil), func(e *events.Event) { e.MethodName = "" }),
			`[16:31:42.156] ▶ llm_call (abc123) ChatBot`,
		},
		{
			"start without names or execution",
			with(ev(events.TypeStart, "llm_call", map[string]any{}), func(e *events.Event) {
				e.ModuleName, e.MethodName, e.ExecutionID = "", "", ""
			}),
			`[16:31:42.156] ▶ llm_call`,
		},
		{
			"start with sorted, nested data",
			ev(events.TypeStart, "retrieval", map[string]any{"k": 3, "filters": map[string]any{"lang": "en"}, "ok": true, "none": nil}),
			`[16:31:42.156] ▶ retrieval (abc123) ChatBot.forward {"filters":{"lang":"en"},"k":3,"none":null,"ok":true}`,
		},
		{
			"token",
			ev(events.TypeToken, "llm_call", map[string]any{events.KeyToken: "The answer is", events.KeyTokenIndex: 0}),
			`[16:31:42.156] • llm_call (abc123) 'The answer is'`,
		},
		{
			"end",
			ev(events.TypeEnd, "llm_call", map[string]any{events.KeyDurationSeconds: 1.234, events.KeyGenAIUsageOutputTokens: 42}),
			`[16:31:42.156] ■ llm_call (abc123) 1.23s {"gen_ai.usage.output_tokens":42}`,
		},
		{
			"end of an LLM call: tokens first, as the seed shows them",
			ev(events.TypeEnd, "llm_call", map[string]any{
				events.KeyDurationSeconds: 1.234, events.KeyTokens: 42, events.KeyGenAIUsageInputTokens: 30,
				events.KeyGenAIUsageOutputTokens: 12, events.KeyGenAIResponseModel: "gpt-4o-mini",
			}),
			`[16:31:42.156] ■ llm_call (abc123) 1.23s {"tokens":42,"gen_ai.response.model":"gpt-4o-mini","gen_ai.usage.input_tokens":30,"gen_ai.usage.output_tokens":12}`,
		},
		{
			"end with only tokens",
			ev(events.TypeEnd, "llm_call", map[string]any{events.KeyTokens: 42}),
			`[16:31:42.156] ■ llm_call (abc123) {"tokens":42}`,
		},
		{
			"error of an LLM call that used tokens",
			ev(events.TypeError, "llm_call", map[string]any{
				events.KeyErrorType: "*llmhttp.IncompleteError", events.KeyErrorMessage: "cut", events.KeyTokens: 7, "stream_incomplete": true,
			}),
			`[16:31:42.156] ✗ llm_call (abc123) *llmhttp.IncompleteError: cut {"tokens":7,"stream_incomplete":true}`,
		},
		{
			"end with only a duration",
			ev(events.TypeEnd, "llm_call", map[string]any{events.KeyDurationSeconds: 12}),
			`[16:31:42.156] ■ llm_call (abc123) 12.00s`,
		},
		{
			"end under a second",
			ev(events.TypeEnd, "llm_call", map[string]any{events.KeyDurationSeconds: 0.156}),
			`[16:31:42.156] ■ llm_call (abc123) 156ms`,
		},
		{
			"end under ten milliseconds",
			ev(events.TypeEnd, "llm_call", map[string]any{events.KeyDurationSeconds: 0.0042}),
			`[16:31:42.156] ■ llm_call (abc123) 4.2ms`,
		},
		{
			"end without a duration",
			ev(events.TypeEnd, "llm_call", map[string]any{"answer": "4"}),
			`[16:31:42.156] ■ llm_call (abc123) {"answer":"4"}`,
		},
		{
			"error",
			ev(events.TypeError, "llm_call", map[string]any{
				events.KeyErrorType: "*url.Error", events.KeyErrorMessage: "connection refused", events.KeyDurationSeconds: 0.5,
			}),
			`[16:31:42.156] ✗ llm_call (abc123) *url.Error: connection refused`,
		},
		{
			"error with more data",
			ev(events.TypeError, "llm_call", map[string]any{
				events.KeyErrorType: "*url.Error", events.KeyErrorMessage: "connection refused", "attempt": 2,
			}),
			`[16:31:42.156] ✗ llm_call (abc123) *url.Error: connection refused {"attempt":2}`,
		},
		{
			"error with a message only",
			ev(events.TypeError, "llm_call", map[string]any{events.KeyErrorMessage: "rate limited"}),
			`[16:31:42.156] ✗ llm_call (abc123) rate limited`,
		},
		{
			"custom",
			ev("docs_found", "retrieval", map[string]any{"count": 3}),
			`[16:31:42.156] ◆ docs_found retrieval (abc123) {"count":3}`,
		},
		{
			"unserializable data",
			ev("scored", "rerank", map[string]any{"score": math.NaN(), "cb": func() {}}),
			`[16:31:42.156] ◆ scored rerank (abc123) {"cb":"!unsupported:func()","score":"!unsupported:NaN"}`,
		},
		{
			"short execution id",
			with(ev(events.TypeStart, "llm_call", nil), func(e *events.Event) { e.ExecutionID = "ab" }),
			`[16:31:42.156] ▶ llm_call (ab) ChatBot.forward`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := print(t, terminal.Config{}, []*events.Event{tt.ev}); got != tt.want+"\n" {
				t.Errorf("got  %q\nwant %q", got, tt.want+"\n")
			}
		})
	}
}

func TestTokensJoinIntoSentences(t *testing.T) {
	const head = "[16:31:42.156] "
	tests := []struct {
		name    string
		batches [][]*events.Event
		want    string
	}{
		{
			"one execution across batches",
			[][]*events.Event{
				{ev(events.TypeStart, "llm_call", nil), token("abc123XYZ789", "The"), token("abc123XYZ789", " answer")},
				{token("abc123XYZ789", " is 4.")},
				{ev(events.TypeEnd, "llm_call", nil)},
			},
			head + "▶ llm_call (abc123) ChatBot.forward\n" +
				head + "• llm_call (abc123) 'The answer is 4.'\n" +
				head + "■ llm_call (abc123)\n",
		},
		{
			"interleaved executions",
			[][]*events.Event{{token("aaaaaa1", "A1"), token("aaaaaa1", "A2"), token("bbbbbb2", "B1"), token("aaaaaa1", "A3")}},
			head + "• llm_call (aaaaaa) 'A1A2'\n" +
				head + "• llm_call (bbbbbb) 'B1'\n" +
				head + "• llm_call (aaaaaa) 'A3'\n",
		},
		{
			"closed by a custom event of the same execution",
			[][]*events.Event{{token("abc123XYZ789", "Hi"), ev("docs_found", "retrieval", nil)}},
			head + "• llm_call (abc123) 'Hi'\n" +
				head + "◆ docs_found retrieval (abc123)\n",
		},
		{
			"closed by Close",
			[][]*events.Event{{token("abc123XYZ789", "unfinished")}},
			head + "• llm_call (abc123) 'unfinished'\n",
		},
		{
			"newlines and tabs in tokens stay on the line",
			[][]*events.Event{{token("abc123XYZ789", "line one\n\tline two")}},
			head + `• llm_call (abc123) 'line one\n\tline two'` + "\n",
		},
		{
			"a token that is not a string",
			[][]*events.Event{{with(token("abc123XYZ789", ""), func(e *events.Event) { e.Data = map[string]any{events.KeyToken: 42} })}},
			head + "• llm_call (abc123) '42'\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := print(t, terminal.Config{}, tt.batches...); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// TestTokenLineIsLive checks that the open token line is flushed at the end of
// each Write, before it is closed.
func TestTokenLineIsLive(t *testing.T) {
	var out bytes.Buffer
	s, err := terminal.New(terminal.Config{Output: &out, Color: terminal.ColorNever, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		batch []*events.Event
		want  string
	}{
		{[]*events.Event{token("abc123XYZ789", "The")}, "[16:31:42.156] • llm_call (abc123) 'The"},
		{[]*events.Event{token("abc123XYZ789", " answer")}, "[16:31:42.156] • llm_call (abc123) 'The answer"},
		{nil, "[16:31:42.156] • llm_call (abc123) 'The answer"},
	}
	for i, step := range steps {
		if err := s.Write(t.Context(), step.batch); err != nil {
			t.Fatal(err)
		}
		if got := out.String(); got != step.want {
			t.Fatalf("after Write %d the output is %q, want %q", i, got, step.want)
		}
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), steps[len(steps)-1].want+"'\n"; got != want {
		t.Errorf("after Close the output is %q, want %q", got, want)
	}
}

func TestHiding(t *testing.T) {
	batch := []*events.Event{
		ev(events.TypeStart, "llm_call", map[string]any{"question": "q"}),
		token("abc123XYZ789", "tok"),
		ev(events.TypeEnd, "llm_call", map[string]any{events.KeyDurationSeconds: 2, "answer": "a"}),
		ev(events.TypeError, "llm_call", map[string]any{events.KeyErrorMessage: "boom", "attempt": 1}),
	}
	const head = "[16:31:42.156] "
	tests := []struct {
		name string
		cfg  terminal.Config
		want string
	}{
		{
			"HideTokens",
			terminal.Config{HideTokens: true},
			head + `▶ llm_call (abc123) ChatBot.forward {"question":"q"}` + "\n" +
				head + `■ llm_call (abc123) 2.00s {"answer":"a"}` + "\n" +
				head + `✗ llm_call (abc123) boom {"attempt":1}` + "\n",
		},
		{
			"HideData",
			terminal.Config{HideData: true},
			head + "▶ llm_call (abc123) ChatBot.forward\n" +
				head + "• llm_call (abc123) 'tok'\n" +
				head + "■ llm_call (abc123) 2.00s\n" +
				head + "✗ llm_call (abc123) boom\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := print(t, tt.cfg, batch); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestDataTruncation(t *testing.T) {
	const head = "[16:31:42.156] ◆ note op (abc123) "
	long := map[string]any{"text": strings.Repeat("ab", 200)}
	tests := []struct {
		name string
		max  int
		data map[string]any
		want string
	}{
		{"default 200", 0, long, `{"text":"` + strings.Repeat("ab", 95) + `a…`},
		{"short", 12, long, `{"text":"aba…`},
		{"counts characters, not bytes", 12, map[string]any{"text": "ünïcødé ünïcødé"}, `{"text":"ünï…`},
		{"never cuts an escape", 11, map[string]any{"text": "ab\n"}, `{"text":"ab…`},
		{"fits exactly", 13, map[string]any{"t": "abcde"}, `{"t":"abcde"}`},
		{"no limit", -1, long, `{"text":"` + strings.Repeat("ab", 200) + `"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := print(t, terminal.Config{MaxDataLen: tt.max}, []*events.Event{ev("note", "op", tt.data)})
			if want := head + tt.want + "\n"; got != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

// TestNoControlCharactersFromEvents guards against terminal injection: text
// from events must never reach the terminal with control characters in it.
func TestNoControlCharactersFromEvents(t *testing.T) {
	const nasty = "\x1b[2J\x1b]0;pwned\x07\u009b31m\x9b\u202eevil\u2066\x7f\r\x00\xff"
	e := ev("x\x1b[31m", "op\x1b[1m", map[string]any{
		"k\x1b": nasty, events.KeyErrorMessage: nasty, "nested": map[string]any{"v": []any{nasty}},
	})
	e.ExecutionID, e.ModuleName = "\x1bAAAAAA", "Mod\x1b[5m"
	batch := []*events.Event{
		with(ev(events.TypeStart, "op", map[string]any{"q": nasty}), func(e *events.Event) { e.ModuleName = nasty }),
		token("abc123XYZ789", nasty),
		token("abc123XYZ789", nasty),
		ev(events.TypeError, nasty, map[string]any{events.KeyErrorType: nasty, events.KeyErrorMessage: nasty}),
		ev(events.TypeEnd, "op", map[string]any{nasty: nasty}),
		e,
	}
	got := print(t, terminal.Config{MaxDataLen: -1}, batch)
	if n := strings.Count(got, "\n"); n != 5 {
		t.Errorf("output has %d lines, want 5 (one per event, the tokens joined):\n%s", n, got)
	}
	for i, r := range strings.TrimSuffix(got, "\n") {
		if r == '\n' {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			t.Errorf("output holds %U at byte %d:\n%q", r, i, got)
		}
	}
	if !utf8.ValidString(got) {
		t.Errorf("output is not valid UTF-8: %q", got)
	}
	// One line in full, to pin how the escapes read.
	line := print(t, terminal.Config{}, []*events.Event{token("abc123XYZ789", "a\x1b[2Jb\u009b\u202ec\xffd")})
	if want := `[16:31:42.156] • llm_call (abc123) 'a\u001b[2Jb\u009b\u202ec` + "\uFFFD" + `d'` + "\n"; line != want {
		t.Errorf("got  %q\nwant %q", line, want)
	}
}
