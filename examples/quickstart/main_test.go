package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/bus"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The quickstart prints the seed's Example 1 shape: the chatbot's execution,
// the retrieval with its custom event, and the streamed answer as one line.
func TestQuickstart(t *testing.T) {
	defer bus.SetDefault(nil)
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`^\[\d\d:\d\d:\d\d\.\d{3}\] ▶ forward \([\w-]{6}\) ChatBot\.forward$`,
		`^\[[\d:.]+\] ▶ retrieval \([\w-]{6}\) ChatBot\.forward \{"question":"What does streamll-go do\?"\}$`,
		`^\[[\d:.]+\] ◆ docs_found retrieval \([\w-]{6}\) \{"count":1\}$`,
		`^\[[\d:.]+\] ■ retrieval \([\w-]{6}\) [\d.]+(ms|s)$`,
		`^\[[\d:.]+\] ▶ llm_call \([\w-]{6}\) ChatBot\.forward \{"documents":1,"gen_ai\.request\.model":"simulated-llm"\}$`,
		`^\[[\d:.]+\] • llm_call \([\w-]{6}\) 'streamll-go streams every LLM call, token and error to the systems you run\.'$`,
		`^\[[\d:.]+\] ■ llm_call \([\w-]{6}\) [\d.]+(ms|s) \{"tokens":28,"gen_ai\.response\.model":"simulated-llm","gen_ai\.usage\.input_tokens":15,"gen_ai\.usage\.output_tokens":13\}$`,
		`^\[[\d:.]+\] ■ forward \([\w-]{6}\) [\d.]+(ms|s)$`,
	}
	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, w := range want {
		if !regexp.MustCompile(w).Match(lines[i]) {
			t.Errorf("line %d = %q\nwant match %s", i, lines[i], w)
		}
	}
}
