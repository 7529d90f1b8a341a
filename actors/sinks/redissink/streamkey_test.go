package redissink

import (
	"strings"
	"testing"

	"github.com/streamll/streamll-go/events"
)

func TestStreamKeyRendering(t *testing.T) {
	ev := &events.Event{
		EventType:  events.TypeToken,
		Operation:  "llm_call",
		ModuleName: "ChatBot",
		MethodName: "forward",
		Tags:       map[string]string{"customer_id": "c-42"},
	}
	tests := []struct {
		name, raw, want string
		templated       bool
	}{
		{"fixed", "streamll_events", "streamll_events", false},
		{"fixed with escaped hash tag", "{{streamll}}:events", "{streamll}:events", false},
		{"every field", "{event_type}/{operation}/{module_name}/{method_name}", "token/llm_call/ChatBot/forward", true},
		{"tag", "events:{tag:customer_id}", "events:c-42", true},
		{"cluster hash tag around a tag", "events:{{{tag:customer_id}}}", "events:{c-42}", true},
		{"missing tag", "events:{tag:region}", "events:unknown", true},
		{"placeholder only", "{operation}", "llm_call", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := parseStreamKey(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if _, fixed := k.Fixed(); fixed == tt.templated {
				t.Errorf("Fixed() says fixed %v, want templated %v", fixed, tt.templated)
			}
			if got := k.Render(ev, nil); got != tt.want {
				t.Errorf("key = %q, want %q", got, tt.want)
			}
			if got := k.Render(ev, nil); got != tt.want {
				t.Errorf("key from the cache = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStreamKeyEmptyValues(t *testing.T) {
	k, err := parseStreamKey("{event_type}.{operation}.{tag:customer_id}")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := k.Render(&events.Event{EventType: events.TypeStart}, nil), "start.unknown.unknown"; got != want {
		t.Errorf("key = %q, want %q", got, want)
	}
	if got, want := k.Render(nil, nil), "unknown.unknown.unknown"; got != want {
		t.Errorf("key of a nil event = %q, want %q", got, want)
	}
}

func TestStreamKeyErrors(t *testing.T) {
	tests := []struct {
		name, raw, wantErr string
	}{
		{"unknown placeholder", "events:{customer}", "unknown placeholder {customer}"},
		{"execution id is not offered", "events:{execution_id}", "unknown placeholder {execution_id}"},
		{"empty placeholder", "events:{}", "unknown placeholder {}"},
		{"tag without a name", "events:{tag:}", "names no tag"},
		{"unterminated", "events:{tag:customer_id", "unterminated placeholder"},
		{"lone closing brace", "events}", "unmatched '}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseStreamKey(tt.raw)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("parseStreamKey(%q) = %v, want an error containing %q", tt.raw, err, tt.wantErr)
			}
		})
	}
}

func TestStreamKeyAllocations(t *testing.T) {
	k, err := parseStreamKey("events:{tag:customer_id}:{event_type}")
	if err != nil {
		t.Fatal(err)
	}
	ev := &events.Event{EventType: events.TypeToken, Tags: map[string]string{"customer_id": "c-42"}}
	k.Render(ev, nil)
	if n := testing.AllocsPerRun(100, func() { k.Render(ev, nil) }); n != 0 {
		t.Errorf("rendering a cached key allocates %v times, want 0", n)
	}
}
