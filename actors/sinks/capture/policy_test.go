package capture_test

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/capture"
	"github.com/streamll/streamll-go/events"
)

// endEvent is the end event of an LLM call with content captured.
func endEvent() *events.Event {
	return &events.Event{
		EventID: "V1StGXR8Z5jd", ExecutionID: "k3Jd9aQ01LmZ", Timestamp: time.Date(2026, 11, 26, 16, 31, 42, 0, time.UTC),
		EventType: events.TypeEnd, Operation: "llm_call", ModuleName: "llm", MethodName: "chat_completions",
		Data: map[string]any{
			events.KeyDurationSeconds: 1.5,
			events.KeyTokens:          42,
			events.KeyGenAIPrompt:     `{"messages":[{"role":"user","content":"Mail jane.doe@example.com my card 4111 1111 1111 1111"}]}`,
			events.KeyGenAICompletion: "Sent to jane.doe@example.com.",
			"tool_calls": []any{map[string]any{"id": "call_1", "name": "send_mail",
				"arguments": `{"to":"jane.doe@example.com"}`}},
			"http.response.header.x-ratelimit-remaining-tokens": "29000",
			"http.response.header.retry-after":                  "1",
		},
		Tags: map[string]string{"customer_id": "c-42"},
	}
}

// deepCopy copies an event and everything it holds, to compare with later.
func deepCopy(ev *events.Event) *events.Event {
	b := events.Marshal(ev)
	out, err := events.Unmarshal(b)
	if err != nil {
		panic(err)
	}
	return &out
}

func TestPolicy(t *testing.T) {
	const sha = "sha256:"
	tests := []struct {
		name   string
		policy capture.Policy
		check  func(t *testing.T, got map[string]any)
	}{
		{
			name:   "drop content and a prefix",
			policy: capture.Policy{Drop: append([]string{"http.response.header.*"}, capture.ContentKeys...)},
			check: func(t *testing.T, got map[string]any) {
				for _, k := range []string{events.KeyGenAIPrompt, events.KeyGenAICompletion, "tool_calls", "http.response.header.retry-after"} {
					if _, ok := got[k]; ok {
						t.Errorf("%s kept", k)
					}
				}
				if got[events.KeyTokens] != 42 || len(got) != 2 {
					t.Errorf("data %v, want tokens and duration_seconds only", got)
				}
			},
		},
		{
			name:   "hash content",
			policy: capture.Policy{Hash: capture.ContentKeys},
			check: func(t *testing.T, got map[string]any) {
				if c := got[events.KeyGenAICompletion]; c != sha+"63e02e2f28800afba1baf0e0d34099ef97d807b99a0c5e9f31d639c968acc20e" {
					t.Errorf("completion %q, want the sha256 of the text", c)
				}
				for _, k := range capture.ContentKeys[1:] {
					if s, _ := got[k].(string); !strings.HasPrefix(s, sha) || len(s) != len(sha)+64 {
						t.Errorf("%s = %v, want sha256:<64 hex digits>", k, got[k])
					}
				}
				if got[events.KeyTokens] != 42 {
					t.Errorf("tokens %v", got[events.KeyTokens])
				}
			},
		},
		{
			name:   "mask e-mails and card numbers, nested too",
			policy: capture.Policy{Mask: []capture.Mask{capture.Email, capture.CardNumber}},
			check: func(t *testing.T, got map[string]any) {
				want := `{"messages":[{"role":"user","content":"Mail [email] my card [card]"}]}`
				if got[events.KeyGenAIPrompt] != want {
					t.Errorf("prompt %q, want %q", got[events.KeyGenAIPrompt], want)
				}
				if got[events.KeyGenAICompletion] != "Sent to [email]." {
					t.Errorf("completion %q", got[events.KeyGenAICompletion])
				}
				call := got["tool_calls"].([]any)[0].(map[string]any)
				if call["arguments"] != `{"to":"[email]"}` || call["name"] != "send_mail" {
					t.Errorf("tool call %v", call)
				}
			},
		},
		{
			name:   "mask only some keys",
			policy: capture.Policy{Mask: []capture.Mask{capture.Email}, MaskKeys: []string{events.KeyGenAICompletion}},
			check: func(t *testing.T, got map[string]any) {
				if got[events.KeyGenAICompletion] != "Sent to [email]." || !strings.Contains(got[events.KeyGenAIPrompt].(string), "jane.doe@") {
					t.Errorf("data %v", got)
				}
			},
		},
		{
			name:   "truncate",
			policy: capture.Policy{Truncate: 8, MaskKeys: []string{events.KeyGenAICompletion}},
			check: func(t *testing.T, got map[string]any) {
				if got[events.KeyGenAICompletion] != "Sent to " || got[events.KeyContentTruncated] != true {
					t.Errorf("data %v", got)
				}
			},
		},
		{
			name: "a user function last",
			policy: capture.Policy{Drop: []string{events.KeyGenAIPrompt}, Func: func(ev *events.Event) *events.Event {
				out := capture.Clone(ev)
				out.Tags["customer_id"] = "redacted"
				delete(out.Data, events.KeyGenAICompletion)
				return out
			}},
			check: func(t *testing.T, got map[string]any) {
				if _, ok := got[events.KeyGenAIPrompt]; ok {
					t.Error("prompt kept")
				}
				if _, ok := got[events.KeyGenAICompletion]; ok {
					t.Error("completion kept")
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			transform, err := tt.policy.Transform()
			if err != nil {
				t.Fatal(err)
			}
			ev := endEvent()
			before := deepCopy(ev)
			got := transform(ev)
			if got == ev {
				t.Fatal("the transform returned the shared event although it changed something")
			}
			if !reflect.DeepEqual(deepCopy(ev), before) || !reflect.DeepEqual(ev.Data["tool_calls"], endEvent().Data["tool_calls"]) {
				t.Fatalf("the shared event was modified:\n%s\nwas\n%s", events.Marshal(ev), events.Marshal(before))
			}
			if got.EventID != ev.EventID || got.EventType != ev.EventType {
				t.Errorf("the transformed event is %+v", got)
			}
			tt.check(t, got.Data)
		})
	}
}

// TestPolicyHashes checks the hash: SHA-256 of a string's bytes, of other
// values' JSON; keyed with HashKey.
func TestPolicyHashes(t *testing.T) {
	ev := &events.Event{Data: map[string]any{"s": "abc", "n": 42}}
	plain, _ := capture.Policy{Hash: []string{"*"}}.Transform()
	got := plain(ev).Data
	if got["s"] != "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("sha256 of abc: %v", got["s"])
	}
	if got["n"] != "sha256:73475cb40a568e8da8a045ced110137e159f890ac4da883b6b17dc651b3a8049" { // of "42"
		t.Errorf("sha256 of 42: %v", got["n"])
	}
	keyed, _ := capture.Policy{Hash: []string{"s"}, HashKey: []byte("key")}.Transform()
	if h := keyed(ev).Data["s"].(string); h != "hmac-sha256:9c196e32dc0175f86f4b1cb89289d6619de6bee699e4c378e68309ed97a1a6ab" {
		t.Errorf("hmac-sha256 of abc with key: %v", h)
	}
}

// TestNothingToChange checks that an event no rule touches is returned as
// it is, without a copy.
func TestNothingToChange(t *testing.T) {
	transform, err := capture.Policy{
		Drop: []string{"secret"}, Hash: []string{"gen_ai.prompt"}, Mask: []capture.Mask{capture.Email, capture.CardNumber}, Truncate: 100,
	}.Transform()
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []*events.Event{
		{EventType: events.TypeToken, Data: map[string]any{events.KeyToken: "The answer is", events.KeyTokenIndex: 3}},
		{EventType: events.TypeEnd, Data: map[string]any{"order": "1234567890123", "list": []any{"a", map[string]any{"b": "c"}}}},
		{EventType: events.TypeStart},
		nil,
	} {
		if got := transform(ev); got != ev {
			t.Errorf("%v: got a new event %v, want the same pointer", ev, got)
		}
	}
	zero, _ := capture.Policy{}.Transform()
	if ev := endEvent(); zero(ev) != ev {
		t.Error("the zero Policy copied the event")
	}
}

func TestCardNumbers(t *testing.T) {
	transform, _ := capture.Policy{Mask: []capture.Mask{capture.CardNumber}}.Transform()
	tests := []struct{ in, want string }{
		{"4111111111111111", "[card]"},
		{"pay with 4111-1111-1111-1111 now", "pay with [card] now"},
		{"5500 0000 0000 0004", "[card]"},
		{"378282246310005", "[card]"},            // Amex, 15 digits
		{"4111111111111112", "4111111111111112"}, // fails Luhn
		{"order 1234567890123", "order 1234567890123"},
		{"call 555-0100", "call 555-0100"},
	}
	for _, tt := range tests {
		got := transform(&events.Event{Data: map[string]any{"t": tt.in}}).Data["t"]
		if got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPolicyValidation(t *testing.T) {
	for _, p := range []capture.Policy{
		{Truncate: -1},
		{Mask: []capture.Mask{{Name: "nothing"}}},
	} {
		if _, err := p.Transform(); !errors.Is(err, sinks.ErrInvalidConfig) {
			t.Errorf("%+v: err = %v, want ErrInvalidConfig", p, err)
		}
	}
	custom := capture.Mask{Pattern: regexp.MustCompile(`c-\d+`)}
	transform, err := capture.Policy{Mask: []capture.Mask{custom}}.Transform()
	if err != nil {
		t.Fatal(err)
	}
	if got := transform(&events.Event{Data: map[string]any{"x": "customer c-42"}}).Data["x"]; got != "customer [masked]" {
		t.Errorf("custom mask: %q", got)
	}
}

// TestConcurrentSinks applies two policies to one shared event from many
// goroutines, as the hosts of two sinks would (run with -race).
func TestConcurrentSinks(t *testing.T) {
	masked, _ := capture.Policy{Mask: []capture.Mask{capture.Email}}.Transform()
	hashed, _ := capture.Policy{Hash: capture.ContentKeys}.Transform()
	ev := endEvent()
	before := deepCopy(ev)
	var wg sync.WaitGroup
	results := make([]string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := masked
			if i%2 == 1 {
				f = hashed
			}
			results[i] = fmt.Sprint(f(ev).Data[events.KeyGenAICompletion])
		}()
	}
	wg.Wait()
	for i, r := range results {
		if i%2 == 0 && r != "Sent to [email]." || i%2 == 1 && !strings.HasPrefix(r, "sha256:") {
			t.Errorf("result %d: %q", i, r)
		}
	}
	if !reflect.DeepEqual(deepCopy(ev), before) {
		t.Fatal("the shared event was modified")
	}
}
