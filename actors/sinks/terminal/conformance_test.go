package terminal_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/events"
)

func TestConformance(t *testing.T) {
	var mu sync.Mutex
	outputs := map[sinks.Sink]*syncBuffer{}
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			out := newSyncBuffer()
			s, err := terminal.New(terminal.Config{Output: out})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			outputs[s] = out
			mu.Unlock()
			return s
		},
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			mu.Lock()
			out := outputs[s]
			mu.Unlock()
			for {
				text, changed := out.snapshot()
				got := parseLines(t, text)
				if len(got) >= want {
					return got
				}
				select {
				case <-changed:
				case <-ctx.Done():
					return got
				}
			}
		},
		Features: sinktest.Features{TypeAndOperationOnly: true},
	})
}

// syncBuffer is an output that tests can read while a sink writes to it, and
// wait on for more.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{})} }

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.changed)
	b.changed = make(chan struct{})
	return b.buf.Write(p)
}

// snapshot returns the text written so far and a channel closed by the next
// Write.
func (b *syncBuffer) snapshot() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String(), b.changed
}

// parseLines reads the complete lines of uncoloured output back into events
// holding EventType and Operation: "[time] ▶ op (id) ..." or, for a custom
// type, "[time] ◆ type op (id) ...".
func parseLines(t *testing.T, text string) []events.Event {
	t.Helper()
	marks := map[string]events.Type{"▶": events.TypeStart, "•": events.TypeToken, "■": events.TypeEnd, "✗": events.TypeError}
	var evs []events.Event
	lines := strings.Split(text, "\n")
	for _, line := range lines[:len(lines)-1] { // the last piece is not a complete line
		_, rest, ok := strings.Cut(line, "] ")
		fields := strings.Fields(rest)
		if !ok || len(fields) < 2 {
			t.Errorf("unexpected output line %q", line)
			continue
		}
		if typ, builtin := marks[fields[0]]; builtin {
			evs = append(evs, events.Event{EventType: typ, Operation: fields[1]})
		} else if fields[0] == "◆" && len(fields) >= 3 {
			evs = append(evs, events.Event{EventType: events.Type(fields[1]), Operation: fields[2]})
		} else {
			t.Errorf("unexpected output line %q", line)
		}
	}
	return evs
}
