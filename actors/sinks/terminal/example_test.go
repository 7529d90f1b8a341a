package terminal_test

import (
	"context"
	"os"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/events"
)

func Example() {
	sink, err := terminal.New(terminal.Config{
		Output:   os.Stdout,
		Color:    terminal.ColorNever,
		Location: time.UTC,
	})
	if err != nil {
		panic(err)
	}
	at := time.Date(2026, 11, 26, 16, 31, 42, 156000000, time.UTC)
	call := func(typ events.Type, data map[string]any) *events.Event {
		return &events.Event{
			ExecutionID: "abc123def456", Timestamp: at, ModuleName: "ChatBot", MethodName: "forward",
			EventType: typ, Operation: "llm_call", Data: data,
		}
	}
	// A bus calls Write with batches as events arrive; here the example plays
	// the host.
	ctx := context.Background()
	_ = sink.Write(ctx, []*events.Event{
		call(events.TypeStart, map[string]any{"question": "What is 2+2?"}),
		call(events.TypeToken, map[string]any{events.KeyToken: "The answer"}),
		call(events.TypeToken, map[string]any{events.KeyToken: " is 4."}),
		call(events.TypeEnd, map[string]any{events.KeyDurationSeconds: 1.23, "tokens": 42}),
	})
	_ = sink.Close(ctx)
	// Output:
	// [16:31:42.156] ▶ llm_call (abc123) ChatBot.forward {"question":"What is 2+2?"}
	// [16:31:42.156] • llm_call (abc123) 'The answer is 4.'
	// [16:31:42.156] ■ llm_call (abc123) 1.23s {"tokens":42}
}
