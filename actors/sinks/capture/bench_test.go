package capture_test

import (
	"testing"

	"github.com/streamll/streamll-go/actors/sinks/capture"
	"github.com/streamll/streamll-go/events"
)

// BenchmarkTransform times a policy per event, on the events an LLM call
// makes: many tokens, one start and one end. "unchanged" is the common case
// of a rule that finds nothing (the same pointer back, no copy).
func BenchmarkTransform(b *testing.B) {
	token := &events.Event{EventType: events.TypeToken, Operation: "llm_call",
		Data: map[string]any{events.KeyToken: " the answer", events.KeyTokenIndex: 7, events.KeyField: "completion"}}
	tokenEmail := &events.Event{EventType: events.TypeToken, Operation: "llm_call",
		Data: map[string]any{events.KeyToken: " write to jane@example.com", events.KeyTokenIndex: 8, events.KeyField: "completion"}}
	end := endEvent()
	masks := capture.Policy{Mask: []capture.Mask{capture.Email, capture.CardNumber}}
	cases := []struct {
		name   string
		policy capture.Policy
		ev     *events.Event
	}{
		{"none/token", capture.Policy{}, token},
		{"mask/token unchanged", masks, token},
		{"mask/token with an email", masks, tokenEmail},
		{"mask/end", masks, end},
		{"hash/token", capture.Policy{Hash: capture.ContentKeys}, token},
		{"hash/end", capture.Policy{Hash: capture.ContentKeys}, end},
		{"drop/end", capture.Policy{Drop: capture.ContentKeys}, end},
		{"truncate/end", capture.Policy{Truncate: 16}, end},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			transform, err := c.policy.Transform()
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = transform(c.ev)
			}
		})
	}
}
