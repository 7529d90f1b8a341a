package sinktest

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every case quotes its rule word for word from the documentation it names,
// so that what a failing driver's author reads is what the contract says.
func TestRulesAreQuotes(t *testing.T) {
	docs := map[string]string{
		"sinks.Sink":     comments(t, "../sink.go"),
		"package events": comments(t, "../../../events/doc.go"),
	}
	for _, c := range cases {
		doc, ok := docs[c.rule.doc]
		if !ok {
			t.Errorf("%s: no documentation %q", c.name, c.rule.doc)
			continue
		}
		if len(c.rule.quotes) == 0 {
			t.Errorf("%s quotes no rule", c.name)
		}
		for _, q := range c.rule.quotes {
			if !strings.Contains(doc, squash(q)) {
				t.Errorf("%s quotes %q, which %s does not say", c.name, q, c.rule.doc)
			}
		}
	}
}

var space = regexp.MustCompile(`\s+`)

func squash(s string) string { return space.ReplaceAllString(strings.TrimSpace(s), " ") }

// comments returns the text of the comments of a Go file, as one line.
func comments(t *testing.T, path string) string {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var text []string
	for line := range strings.SplitSeq(string(src), "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "//"); ok {
			text = append(text, strings.TrimLeft(rest, " \t-"))
		}
	}
	return squash(strings.Join(text, " "))
}
