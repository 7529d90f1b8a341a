package events_test

import (
	"time"

	"github.com/streamll/streamll-go/events"
)

// at is the timestamp of the fixtures, 2026-11-26T16:31:42.156123Z.
var at = time.Date(2026, 11, 26, 16, 31, 42, 156123000, time.UTC)

// tokenEvent is the token event of DESIGN.md's wire format example.
func tokenEvent() events.Event {
	return events.Event{
		EventID:     "V1StGXR8Z5jd",
		ExecutionID: "k3Jd9aQ01LmZ",
		ParentID:    "Xa81LmQ0p2Rt",
		Timestamp:   at,
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		EventType:   events.TypeToken,
		Operation:   "llm_call",
		Data: map[string]any{
			events.KeyToken:      "The answer is",
			events.KeyTokenIndex: 0,
			events.KeyField:      "answer",
		},
		Tags: map[string]string{"customer_id": "c-42", "service": "risk_engine"},
	}
}

// endEvent closes an LLM call with a duration and GenAI usage: six data keys.
func endEvent() events.Event {
	return events.Event{
		EventID:     "Qm9vX2VuZDAx",
		ExecutionID: "k3Jd9aQ01LmZ",
		ParentID:    "Xa81LmQ0p2Rt",
		Timestamp:   at.Add(2*time.Second + 345678*time.Microsecond),
		ModuleName:  "ChatBot",
		MethodName:  "forward",
		EventType:   events.TypeEnd,
		Operation:   "llm_call",
		Data: map[string]any{
			events.KeyDurationSeconds:            2.345678,
			events.KeyGenAIRequestModel:          "gpt-4o-mini",
			events.KeyGenAIResponseModel:         "gpt-4o-mini-2024-07-18",
			events.KeyGenAIUsageInputTokens:      412,
			events.KeyGenAIUsageOutputTokens:     57,
			events.KeyGenAIResponseFinishReasons: []string{"stop"},
		},
		Tags: map[string]string{"customer_id": "c-42", "service": "risk_engine"},
	}
}

// goldenCases are the events whose encodings are pinned in testdata/<name>.json.
var goldenCases = []struct {
	name string
	ev   func() events.Event
}{
	{"token", tokenEvent},
	{"start_top_level", func() events.Event {
		return events.Event{
			EventID:     "St4rtT0pLvl0",
			ExecutionID: "Xa81LmQ0p2Rt",
			Timestamp:   at.Add(-time.Second),
			ModuleName:  "ChatBot",
			MethodName:  "forward",
			EventType:   events.TypeStart,
			Operation:   "chat",
			Data: map[string]any{
				events.KeyGenAIOperationName:      "chat",
				events.KeyGenAISystem:             "openai",
				events.KeyGenAIRequestModel:       "gpt-4o-mini",
				events.KeyGenAIRequestTemperature: 0.2,
				events.KeyGenAIRequestMaxTokens:   1024,
				"question":                        "What is the risk score of c-42?",
			},
			Tags: map[string]string{"customer_id": "c-42", "service": "risk_engine"},
		}
	}},
	{"end_usage", endEvent},
	{"error", func() events.Event {
		return events.Event{
			EventID:     "Err0rEv3nt01",
			ExecutionID: "R3tr13v4lX01",
			ParentID:    "Xa81LmQ0p2Rt",
			Timestamp:   at.Add(500 * time.Millisecond),
			ModuleName:  "Retriever",
			MethodName:  "search",
			EventType:   events.TypeError,
			Operation:   "retrieval",
			Data: map[string]any{
				events.KeyDurationSeconds: 0.5,
				events.KeyErrorType:       "*net.OpError",
				events.KeyErrorMessage:    "dial tcp 10.0.0.7:6333: connect: connection refused",
			},
			Tags: map[string]string{"service": "risk_engine"},
		}
	}},
	{"nil_data_tags", func() events.Event {
		return events.Event{
			EventID:     "N1lM4psEv3nt",
			ExecutionID: "k3Jd9aQ01LmZ",
			Timestamp:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			ModuleName:  "ChatBot",
			MethodName:  "forward",
			EventType:   "docs_found",
		}
	}},
	{"unicode_escapes", func() events.Event {
		return events.Event{
			EventID:     "Un1c0d3Esc01",
			ExecutionID: "k3Jd9aQ01LmZ",
			Timestamp:   at.In(time.FixedZone("CET", 3600)),
			ModuleName:  "Übersetzer",
			MethodName:  "forward",
			EventType:   events.TypeToken,
			Operation:   "llm_call",
			Data: map[string]any{
				events.KeyToken:      "\"quoted\" back\\slash\nnew line\ttab \x01 <b>&amp; 日本語 😀 \u2028\u2029",
				events.KeyTokenIndex: 7,
				"bad\xffkey":         "bad\xfe\xffvalue",
			},
			Tags: map[string]string{"ключ": "значение", "tag\x80": "a\xc3"},
		}
	}},
}
