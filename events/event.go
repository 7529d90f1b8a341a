package events

import "time"

// Type is the kind of an event: one of the constants below or a custom
// lowercase name such as "docs_found".
type Type string

// The event types streamll-go emits itself.
const (
	// TypeStart opens an execution.
	TypeStart Type = "start"
	// TypeToken carries one streamed piece of an LLM answer.
	TypeToken Type = "token"
	// TypeEnd closes an execution that succeeded.
	TypeEnd Type = "end"
	// TypeError closes an execution that failed.
	TypeError Type = "error"
)

// Event is one thing that happened inside an LLM application.
//
// Once an Event has been handed to a bus it is shared, read-only, by every
// sink: neither the producer nor a sink may modify it or the maps it holds.
type Event struct {
	// EventID identifies this event; consumers de-duplicate on it.
	EventID string
	// ExecutionID identifies the execution (a traced call) the event belongs to.
	ExecutionID string
	// ParentID is the execution that started this one; empty at the top level.
	ParentID string
	// Timestamp is when the event happened; it is encoded in UTC.
	Timestamp time.Time
	// ModuleName names the instrumented component, such as "ChatBot".
	ModuleName string
	// MethodName names the instrumented method, such as "forward".
	MethodName string
	// EventType says what kind of event this is.
	EventType Type
	// Operation names the step, such as "llm_call" or "retrieval".
	Operation string
	// Data holds the event's payload; see the Key constants for well-known keys.
	// A nil map is encoded as {}.
	Data map[string]any
	// Tags are string labels such as customer_id; they flow from an execution to
	// every event in it. A nil map is encoded as {}.
	Tags map[string]string
}
