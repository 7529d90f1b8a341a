package natssink

import (
	"strings"
	"testing"

	"github.com/streamll/streamll-go/events"
)

func TestRenderSubject(t *testing.T) {
	ev := &events.Event{
		EventType:  events.TypeToken,
		Operation:  "llm.call *",
		ModuleName: "Chat>Bot",
		Tags:       map[string]string{"customer_id": "c-42\x00\xff"},
	}
	tests := []struct{ template, want string }{
		{"streamll.{event_type}", "streamll.token"},
		{"ai.{operation}.{module_name}", "ai.llm_call__.Chat_Bot"},
		{"ai.{tag:customer_id}", "ai.c-42__"},
		{"ai.{tag:region}.{method_name}", "ai.unknown.unknown"},
		{"ai.x{event_type}y", "ai.xtokeny"},
		{"{{a}}.{event_type}", "{a}.token"},
	}
	for _, tt := range tests {
		s, err := parseSubject(tt.template)
		if err != nil {
			t.Fatalf("parseSubject(%q): %v", tt.template, err)
		}
		if got := s.render(ev); got != tt.want {
			t.Errorf("render(%q) = %q, want %q", tt.template, got, tt.want)
		}
	}
}

func TestValueCut(t *testing.T) {
	s, _ := parseSubject("ai.{module_name}")
	long := strings.Repeat("é", MaxValueBytes) // 2 bytes each
	got := s.render(&events.Event{ModuleName: long})
	if v := strings.TrimPrefix(got, "ai."); len(v) != MaxValueBytes || !strings.HasPrefix(long, v) {
		t.Errorf("a long value became %d bytes %q", len(v), v)
	}
}

func TestFilter(t *testing.T) {
	for template, want := range map[string]string{
		"streamll.{event_type}":            "streamll.*",
		"streamll.events":                  "streamll.events",
		"ai.x{module_name}.{event_type}.y": "ai.*.*.y",
		"{operation}":                      "*",
	} {
		s, err := parseSubject(template)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.filter(); got != want {
			t.Errorf("filter of %q = %q, want %q", template, got, want)
		}
	}
}

func TestSubjectMatches(t *testing.T) {
	tests := []struct {
		filter, subject string
		want            bool
	}{
		{"a.b", "a.b", true},
		{"a.b", "a.c", false},
		{"a.*", "a.b", true},
		{"a.*", "a.b.c", false},
		{"a.*", "a", false},
		{"a.>", "a.b", true},
		{"a.>", "a.b.c", true},
		{"a.>", "a", false},
		{">", "a", true},
		{"*.b.>", "x.b.y.z", true},
		{"*.b.>", "x.c.y", false},
		{"a.b.c", "a.b", false},
	}
	for _, tt := range tests {
		if got := subjectMatches(tt.filter, tt.subject); got != tt.want {
			t.Errorf("subjectMatches(%q, %q) = %v, want %v", tt.filter, tt.subject, got, tt.want)
		}
	}
}

func TestBindingCacheIsBounded(t *testing.T) {
	b := newBinding([]string{"a.>"})
	for i := range 3 * maxBoundCache {
		subj := "a." + events.NewID()
		if i%2 == 1 {
			subj = "b." + events.NewID()
		}
		if got := b.binds(subj); got != (i%2 == 0) {
			t.Fatalf("binds(%q) = %v", subj, got)
		}
		if len(b.cache) > maxBoundCache {
			t.Fatalf("cache holds %d subjects", len(b.cache))
		}
	}
}

func TestRenderAllocations(t *testing.T) {
	s, _ := parseSubject("ai.{module_name}.{event_type}")
	ev := &events.Event{ModuleName: "Chat Bot", EventType: events.TypeToken}
	s.render(ev)
	if n := testing.AllocsPerRun(100, func() { s.render(ev) }); n != 0 {
		t.Errorf("rendering a cached subject allocates %v times", n)
	}
}
