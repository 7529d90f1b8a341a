package keytemplate

import "github.com/streamll/streamll-go/events"

// Fields is a set of the event fields a template's placeholders may read.
// Each constant is one field; combine them with | to tell Parse which
// placeholders a driver offers.
type Fields uint8

// The fields a placeholder can read.
const (
	EventType   Fields = 1 << iota // {event_type}: Event.EventType
	Operation                      // {operation}: Event.Operation
	ModuleName                     // {module_name}: Event.ModuleName
	MethodName                     // {method_name}: Event.MethodName
	ExecutionID                    // {execution_id}: Event.ExecutionID
	Tag                            // {tag:NAME}: Event.Tags[NAME]
)

// placeholderNames gives each field's name inside braces, in the order error
// messages list them. Tag is matched by its "tag:" prefix instead.
var placeholderNames = [...]struct {
	field Fields
	name  string
}{
	{EventType, "event_type"},
	{Operation, "operation"},
	{ModuleName, "module_name"},
	{MethodName, "method_name"},
	{ExecutionID, "execution_id"},
	{Tag, "tag:NAME"},
}

// value returns the field f of ev; tag is the tag's name when f is Tag.
func (f Fields) value(ev *events.Event, tag string) string {
	switch f {
	case EventType:
		return string(ev.EventType)
	case Operation:
		return ev.Operation
	case ModuleName:
		return ev.ModuleName
	case MethodName:
		return ev.MethodName
	case ExecutionID:
		return ev.ExecutionID
	case Tag:
		return ev.Tags[tag]
	}
	return ""
}
