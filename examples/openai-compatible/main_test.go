package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestRunAgainstTheFakeServer runs the example as `go run` does with no
// environment: against the fake server, printing through the terminal sink.
func TestRunAgainstTheFakeServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(ctx, &out, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"▶ forward", "▶ llm_call", "Assistant.ask", "• llm_call", cannedAnswer,
		`"gen_ai.usage.output_tokens":`, "■ llm_call", "■ forward",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestRunStopsWhenCancelled checks that Ctrl-C (a cancelled context) ends the
// run promptly, with the call recorded as an error.
func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, &out, func(string) string { return "" })
	if err == nil {
		t.Fatal("a cancelled run succeeded")
	}
	if !strings.Contains(out.String(), "✗ forward") {
		t.Errorf("output lacks the error of the cancelled call:\n%s", out.String())
	}
}
