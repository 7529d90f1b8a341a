package capture_test

import (
	"fmt"

	"github.com/streamll/streamll-go/actors/sinks/capture"
	"github.com/streamll/streamll-go/events"
)

// The seed's compliance scenario: the terminal sees everything, Redis sees
// content with e-mail addresses and card numbers masked, the audit trail
// only hashes of it. Each policy's transform goes into its sink's
// sinks.Options.Transform.
func ExamplePolicy() {
	masked, _ := capture.Policy{Mask: []capture.Mask{capture.Email, capture.CardNumber}}.Transform()
	audit, _ := capture.Policy{Hash: capture.ContentKeys, HashKey: []byte("audit-key")}.Transform()

	ev := &events.Event{EventType: events.TypeEnd, Operation: "llm_call", Data: map[string]any{
		events.KeyGenAICompletion: "Card 4111 1111 1111 1111 is on file for jane@example.com.",
		events.KeyTokens:          42,
	}}
	fmt.Println("terminal:", ev.Data[events.KeyGenAICompletion])
	fmt.Println("redis:   ", masked(ev).Data[events.KeyGenAICompletion])
	fmt.Println("audit:   ", audit(ev).Data[events.KeyGenAICompletion].(string)[:20]+"…")
	fmt.Println("tokens everywhere:", masked(ev).Data[events.KeyTokens], audit(ev).Data[events.KeyTokens])
	// Output:
	// terminal: Card 4111 1111 1111 1111 is on file for jane@example.com.
	// redis:    Card [card] is on file for [email].
	// audit:    hmac-sha256:8631ebe4…
	// tokens everywhere: 42 42
}
