package llmhttp

// knownNames holds the finish reasons providers send, so that recording one
// makes no string.
var knownNames = func() map[string]string {
	m := map[string]string{}
	for _, s := range []string{
		"stop", "length", "tool_calls", "content_filter", "function_call", // OpenAI
		"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal", // Anthropic
		"completed", "incomplete", "failed", "cancelled", "max_output_tokens", // Responses
		"load", "unload", // Ollama
	} {
		m[s] = s
	}
	return m
}()

// internName returns t as a string, without making one when it is a known
// name.
func internName(t jtext) string {
	if !t.esc {
		if s, ok := knownNames[string(t.raw)]; ok {
			return s
		}
	}
	return t.String()
}
