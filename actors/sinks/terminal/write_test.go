package terminal_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/events"
)

// flakyWriter fails while broken is set.
type flakyWriter struct {
	bytes.Buffer
	broken bool
}

var errBroken = errors.New("output gone")

func (w *flakyWriter) Write(p []byte) (int, error) {
	if w.broken {
		return 0, errBroken
	}
	return w.Buffer.Write(p)
}

func TestWriteErrorIsReportedAndRecovered(t *testing.T) {
	out := &flakyWriter{broken: true}
	s, err := terminal.New(terminal.Config{Output: out, Color: terminal.ColorNever, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	batch := []*events.Event{ev(events.TypeStart, "llm_call", nil), token("abc123XYZ789", "half")}
	if err := s.Write(t.Context(), batch); !errors.Is(err, errBroken) {
		t.Fatalf("Write to a failing output = %v, want an error wrapping %v", err, errBroken)
	}
	// The host retries the batch once the output works again; nothing of the
	// failed attempt is left half-written in the buffer.
	out.broken = false
	if err := s.Write(t.Context(), batch); err != nil {
		t.Fatalf("retried Write = %v", err)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := "[16:31:42.156] ▶ llm_call (abc123) ChatBot.forward\n[16:31:42.156] • llm_call (abc123) 'half'\n"
	if got := out.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCloseReportsAFailedFlush(t *testing.T) {
	out := &flakyWriter{}
	s, err := terminal.New(terminal.Config{Output: out, Color: terminal.ColorNever})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []*events.Event{token("abc123XYZ789", "open")}); err != nil {
		t.Fatal(err)
	}
	out.broken = true
	if err := s.Close(t.Context()); !errors.Is(err, errBroken) {
		t.Errorf("Close = %v, want an error wrapping %v", err, errBroken)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
}

// mixedBatch returns n events of executions that each start, stream six
// tokens and end, as an LLM call does.
func mixedBatch(n int) []*events.Event {
	batch := make([]*events.Event, 0, n)
	for len(batch) < n {
		id := events.NewID()
		run := []*events.Event{ev(events.TypeStart, "llm_call", map[string]any{
			"question": "What is the capital of France?", events.KeyGenAIRequestModel: "gpt-4o-mini",
		})}
		for _, text := range []string{"The", " capital", " of", " France", " is", " Paris."} {
			run = append(run, token(id, text))
		}
		run = append(run, ev(events.TypeEnd, "llm_call", map[string]any{
			events.KeyDurationSeconds: 1.234, events.KeyGenAIUsageOutputTokens: 6, events.KeyGenAIUsageInputTokens: 12,
		}))
		for _, e := range run {
			e.ExecutionID = id
		}
		batch = append(batch, run...)
	}
	return batch[:n]
}

func TestWriteDoesNotAllocate(t *testing.T) {
	for _, color := range []terminal.ColorMode{terminal.ColorNever, terminal.ColorAlways} {
		s, err := terminal.New(terminal.Config{Output: io.Discard, Color: color, Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		batch := mixedBatch(256)
		ctx := t.Context()
		allocs := testing.AllocsPerRun(20, func() {
			if err := s.Write(ctx, batch); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("Color %v: Write of %d events allocates %v times, want 0", color, len(batch), allocs)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	for _, color := range []terminal.ColorMode{terminal.ColorNever, terminal.ColorAlways} {
		b.Run("color="+color.String(), func(b *testing.B) {
			s, err := terminal.New(terminal.Config{Output: io.Discard, Color: color, Location: time.UTC})
			if err != nil {
				b.Fatal(err)
			}
			batch := mixedBatch(256)
			ctx := b.Context()
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Write(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// To prints to the writer given, without colour codes when it is not a
// terminal, and says where it prints.
func TestTo(t *testing.T) {
	var out bytes.Buffer
	s := terminal.To(&out)
	if err := s.Write(t.Context(), []*events.Event{{EventType: events.TypeStart, Operation: "op", ExecutionID: "abcdef",
		Timestamp: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !bytes.Contains(out.Bytes(), []byte("▶ op (abcdef)")) || bytes.Contains(out.Bytes(), []byte("\x1b[")) {
		t.Errorf("output %q", got)
	}
	if d := terminal.To(nil).Destination(); d != "standard output" {
		t.Errorf("To(nil).Destination() = %q, want standard output", d)
	}
}
