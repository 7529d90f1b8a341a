package llmhttp

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// recorder keeps the events a parser dispatches, as "name|data".
type recorder struct{ got []string }

func (r *recorder) event(name, data []byte) { r.got = append(r.got, string(name)+"|"+string(data)) }

func parseAll(chunks ...string) ([]string, error) {
	r := &recorder{}
	p := sseParser{h: r}
	for _, c := range chunks {
		p.feed([]byte(c))
	}
	p.finish()
	return r.got, p.err
}

func TestSSEParser(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   []string
	}{
		{"LF", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}},
		{"CRLF", "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n", []string{"a|1", "|2"}},
		{"CR", "event: a\rdata: 1\r\rdata: 2\r\r", []string{"a|1", "|2"}},
		{"multi-line data", "data: 1\ndata: 2\ndata:\n\n", []string{"|1\n2\n"}},
		{"no space after colon", "data:x\ndata:  y\n\n", []string{"|x\n y"}},
		{"field without colon", "data\n\n", []string{"|"}},
		{"comments and other fields", ": keep-alive\nid: 7\nretry: 100\ndata: {}\n\n", []string{"|{}"}},
		{"name resets after each event", "event: a\ndata: 1\n\ndata: 2\n\n", []string{"a|1", "|2"}},
		{"event without data is dropped", "event: a\n\ndata: 1\n\n", []string{"|1"}},
		{"last event without blank line", "data: 1\n\ndata: 2", []string{"|1", "|2"}},
		{"blank lines only", "\n\n\r\n", nil},
		{"OpenAI done marker", "data: {\"a\":1}\n\ndata: [DONE]\n\n", []string{"|{\"a\":1}", "|[DONE]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAll(tt.stream)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("whole: got %q, %v; want %q", got, err, tt.want)
			}
			// The same events, however the reads cut the bytes.
			for i := 1; i < len(tt.stream); i++ {
				got, err := parseAll(tt.stream[:i], tt.stream[i:])
				if err != nil || !slices.Equal(got, tt.want) {
					t.Fatalf("cut at %d: got %q, %v; want %q", i, got, err, tt.want)
				}
			}
			got, err = parseAll(strings.Split(tt.stream, "")...)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("byte by byte: got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestSSEParserGivesUpOnHugeEvents(t *testing.T) {
	huge := strings.Repeat("x", maxEventBytes)
	tests := []struct {
		name   string
		chunks []string
		want   []string
	}{
		{"one huge line in one read", []string{"data: 1\n\ndata: " + huge + "\n\ndata: 3\n\n"}, []string{"|1"}},
		{"a huge line across reads", []string{"data: 1\n\ndata: ", huge[:10], huge, "\n\ndata: 3\n\n"}, []string{"|1"}},
		{"many data lines", []string{"data: 1\n\n", strings.Repeat("data: "+huge[:1000]+"\n", 2000), "\ndata: 3\n\n"}, []string{"|1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAll(tt.chunks...)
			if !errors.Is(err, errEventTooLarge) {
				t.Fatalf("err = %v, want errEventTooLarge", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %d events %.40q, want %q", len(got), got, tt.want)
			}
		})
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		name  string
		s     string
		limit int
		want  string
		cut   bool
	}{
		{"short", "abc", 5, "abc", false},
		{"exact", "abcde", 5, "abcde", false},
		{"cut", "abcdef", 5, "abcde", true},
		{"no cap", "abcdef", -1, "abcdef", false},
		{"zero", "abc", 0, "", true},
		{"inside a rune", "aé", 2, "a", true}, // é is 2 bytes
		{"after a rune", "éa", 2, "é", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cut := clip(tt.s, tt.limit)
			if got != tt.want || cut != tt.cut {
				t.Fatalf("clip(%q, %d) = %q, %v; want %q, %v", tt.s, tt.limit, got, cut, tt.want, tt.cut)
			}
		})
	}
}
