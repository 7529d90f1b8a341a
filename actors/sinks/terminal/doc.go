// Package terminal is the developer's console sink: one readable line per
// event, written as the events arrive.
//
//	[16:31:42.156] ▶ llm_call (abc123) ChatBot.forward {"question":"What is 2+2?"}
//	[16:31:42.480] • llm_call (abc123) 'The answer is 4.'
//	[16:31:43.390] ■ llm_call (abc123) 1.23s {"tokens":42,"gen_ai.usage.input_tokens":30,"gen_ai.usage.output_tokens":12}
//	[16:31:43.391] ✗ retrieval (k3Jd9a) *url.Error: connection refused
//	[16:31:43.392] ◆ docs_found retrieval (k3Jd9a) {"count":3}
//
// Each line starts with the event's time and a mark: ▶ start, • tokens, ■ end,
// ✗ error, and ◆ followed by the type's name for custom types. Then come the
// operation and, in parentheses, the first six characters of the execution
// id. A start line names module.method; an end line shows the duration from
// data's duration_seconds; an error line shows error_type: error_message.
// Remaining data is shown as compact JSON (the wire encoding of package
// events, with the same placeholders for values JSON cannot carry), cut to
// Config.MaxDataLen characters. Its keys are sorted, except that end and
// error lines show tokens first: the total the seed's output shows as
// {"tokens": 42}, kept when a long line is cut.
//
// Consecutive token events of one execution form a single line that reads as
// a sentence: the first opens it with a quote, the others append their text.
// The line stays open across batches, and its text is flushed after every
// Write so the answer appears live; it is closed by the next event that is
// not a token of that execution, or by Close.
//
// Text from events (tokens, names, error messages, data) is never written
// raw when it holds control characters: escape sequences such as "\x1b[2J"
// are shown as \u001b[2J, newlines as \n, and the C1 controls and Unicode
// bidirectional overrides as \u escapes, so an LLM answer cannot drive the
// terminal. Colours (ANSI codes) are used only where the output is a
// terminal and NO_COLOR is unset, unless Config.Color says otherwise.
//
// Output goes through a buffer flushed at the end of each Write: one write
// system call per batch. Rendering allocates nothing per event. A Write to an
// output that blocks (a terminal paused with Ctrl-S, a full pipe) blocks only
// this sink's host, never a producer. The sink does not close Config.Output.
package terminal
