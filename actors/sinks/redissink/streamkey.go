package redissink

import "github.com/streamll/streamll-go/internal/keytemplate"

// streamKeyFields are the placeholders Config.StreamKey offers (see the
// package documentation); {execution_id} is not one of them.
const streamKeyFields = keytemplate.EventType | keytemplate.Operation |
	keytemplate.ModuleName | keytemplate.MethodName | keytemplate.Tag

// parseStreamKey parses Config.StreamKey. Rendering follows the shared
// template rules: an empty value becomes "unknown", "{{" and "}}" are literal
// braces (as a Redis Cluster hash tag needs), and rendered keys are cached.
func parseStreamKey(raw string) (*keytemplate.Template, error) {
	return keytemplate.Parse(raw, streamKeyFields)
}
