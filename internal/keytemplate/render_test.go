package keytemplate

import (
	"strings"
	"testing"

	"github.com/streamll/streamll-go/events"
)

func TestRender(t *testing.T) {
	ev := &events.Event{
		ExecutionID: "k3Jd9aQ01LmZ",
		EventType:   events.TypeToken,
		Operation:   "llm_call",
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		Tags:        map[string]string{"customer_id": "c-42"},
	}
	upper := func(b []byte, v string) []byte { return append(b, strings.ToUpper(v)...) }
	tests := []struct {
		name, raw   string
		ev          *events.Event
		appendValue AppendFunc
		want        string
	}{
		{"fixed", "streamll_events", ev, nil, "streamll_events"},
		{"fixed ignores the hook", "a.b", ev, upper, "a.b"},
		{"every field", "{event_type}/{operation}/{module_name}/{method_name}/{execution_id}", ev, nil, "token/llm_call/ChatBot/forward/k3Jd9aQ01LmZ"},
		{"tag", "events:{tag:customer_id}", ev, nil, "events:c-42"},
		{"braces around a tag", "events:{{{tag:customer_id}}}", ev, nil, "events:{c-42}"},
		{"missing tag", "events:{tag:region}", ev, nil, "events:" + EmptyValue},
		{"empty values", "{event_type}.{operation}", &events.Event{EventType: events.TypeStart}, nil, "start.unknown"},
		{"nil event", "{event_type}.{tag:customer_id}", nil, nil, "unknown.unknown"},
		{"hook rewrites values", "a.{operation}.{module_name}", ev, upper, "a.LLM_CALL.CHATBOT"},
		{"hook never sees an empty value", "a.{tag:region}", ev, upper, "a.unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := Parse(tt.raw, every)
			if err != nil {
				t.Fatal(err)
			}
			if got := k.Render(tt.ev, tt.appendValue); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
			if got := k.Render(tt.ev, tt.appendValue); got != tt.want {
				t.Errorf("Render from the cache = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestRenderKeepsKeys: a key returned earlier stays valid after later
// renders reuse the buffer.
func TestRenderKeepsKeys(t *testing.T) {
	k, err := Parse("x.{operation}", every)
	if err != nil {
		t.Fatal(err)
	}
	first := k.Render(&events.Event{Operation: "aaaa"}, nil)
	k.Render(&events.Event{Operation: "bbbb"}, nil)
	if first != "x.aaaa" {
		t.Errorf("first key became %q", first)
	}
}

// TestCacheIsBounded: templates over ids name a key per event; the cache
// starts over instead of growing.
func TestCacheIsBounded(t *testing.T) {
	k, err := Parse("events:{execution_id}", every)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 * maxCachedKeys {
		ev := &events.Event{ExecutionID: events.NewID()}
		if got, want := k.Render(ev, nil), "events:"+ev.ExecutionID; got != want {
			t.Fatalf("Render = %q, want %q", got, want)
		}
		if len(k.cache) > maxCachedKeys {
			t.Fatalf("cache holds %d keys, more than %d", len(k.cache), maxCachedKeys)
		}
	}
}

func TestRenderAllocations(t *testing.T) {
	k, err := Parse("events:{tag:customer_id}:{event_type}", every)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events.Event{EventType: events.TypeToken, Tags: map[string]string{"customer_id": "c-42"}}
	word := AppendFunc(func(b []byte, v string) []byte { return append(b, v...) })
	for _, tt := range []struct {
		name        string
		appendValue AppendFunc
	}{
		{"verbatim", nil},
		{"hook", word},
	} {
		t.Run(tt.name, func(t *testing.T) {
			k.Render(ev, tt.appendValue)
			if n := testing.AllocsPerRun(100, func() { k.Render(ev, tt.appendValue) }); n != 0 {
				t.Errorf("rendering a cached key allocates %v times, want 0", n)
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	k, err := Parse("ai.{module_name}.{event_type}.{tag:customer_id}", every)
	if err != nil {
		b.Fatal(err)
	}
	ev := &events.Event{ModuleName: "ChatBot", EventType: events.TypeToken, Tags: map[string]string{"customer_id": "c-42"}}
	b.ReportAllocs()
	for b.Loop() {
		k.Render(ev, nil)
	}
}
