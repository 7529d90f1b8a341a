package otelsink_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// wait bounds every wait of these tests.
const wait = 15 * time.Second

// newSink returns a sink exporting to rcv with cfg's other settings; it is
// closed when the test ends.
func newSink(t *testing.T, rcv *otlptest.Receiver, cfg otelsink.Config) *otelsink.Sink {
	t.Helper()
	if cfg.Endpoint == "" {
		cfg.Endpoint = rcv.URL()
	}
	s, err := otelsink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSink(t, s) })
	return s
}

func closeSink(t *testing.T, s sinks.Sink) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// newBus returns a bus delivering to the OTLP sink and to a memory sink, so
// that tests compare the spans with the events they came from.
func newBus(t *testing.T, s *otelsink.Sink) (*bus.Bus, *memory.Sink) {
	t.Helper()
	mem, err := memory.New(memory.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{s, mem}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = closeBus(b) })
	return b, mem
}

// closeBus closes b: every event is delivered, and the OTLP sink's Close has
// exported what it held.
func closeBus(b *bus.Bus) error {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return b.Close(ctx)
}

// waitSpans waits until rcv holds n spans.
func waitSpans(t *testing.T, rcv *otlptest.Receiver, n int) []otlptest.Span {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	spans := rcv.Wait(ctx, n)
	if len(spans) != n {
		t.Fatalf("received %d spans, want %d: %v", len(spans), n, names(spans))
	}
	return spans
}

func names(spans []otlptest.Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name
	}
	return out
}

// byExecution indexes spans by their streamll.execution_id.
func byExecution(t *testing.T, spans []otlptest.Span) map[string]otlptest.Span {
	t.Helper()
	m := make(map[string]otlptest.Span, len(spans))
	for _, s := range spans {
		id, _ := s.Attrs["streamll.execution_id"].(string)
		if _, dup := m[id]; dup {
			t.Errorf("two spans for execution %q", id)
		}
		m[id] = s
	}
	return m
}

// eventsOf returns the events of execution id, by type, from what the memory
// sink received.
func eventsOf(mem *memory.Sink, id string) map[events.Type]events.Event {
	m := map[events.Type]events.Event{}
	for _, ev := range mem.Events() {
		if ev.ExecutionID == id {
			if _, seen := m[ev.EventType]; !seen {
				m[ev.EventType] = ev
			}
		}
	}
	return m
}

var library = []string{
	"streamll-go streams LLM execution events to the terminal, Redis Streams and RabbitMQ.",
	"Every sink runs in its own supervised actor with a buffer, retries and a circuit breaker.",
	"Emit never blocks the application.",
}

var answerTokens = []string{"streamll-go", " streams", " every", " LLM", " call", ",", " token", " and", " error",
	" to", " the", " systems", " you", " run", "."}

// ragIDs names the executions of one rag call.
type ragIDs struct{ forward, retrieval, llm string }

// rag runs the quickstart's RAG chatbot on b: a forward execution with a
// retrieval (and its docs_found event) and a streamed LLM call nested in
// it. fail makes the LLM call end with an error after its tokens. It
// returns the executions' ids.
func rag(ctx context.Context, b *bus.Bus, question string, tags map[string]string, fail error) (ragIDs, error) {
	var ids ragIDs
	forward := bus.Instrument(b, bus.Op{Module: "ChatBot", Method: "forward", Operation: "forward", Tags: tags},
		func(ctx context.Context, question string) (string, error) {
			ids.forward = bus.FromContext(ctx).ID()
			rctx, retrieval := b.Start(ctx, bus.Op{Operation: "retrieval", Data: map[string]any{"question": question}})
			ids.retrieval = retrieval.ID()
			var docs []string
			for _, d := range library {
				for _, w := range strings.Fields(strings.Trim(question, "?")) {
					if len(w) > 3 && strings.Contains(d, w) {
						docs = append(docs, d)
						break
					}
				}
			}
			retrieval.Emit("docs_found", map[string]any{"count": len(docs)})
			retrieval.End(rctx.Err())

			_, llm := b.Start(ctx, bus.Op{Operation: "llm_call",
				Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm", "documents": len(docs)}})
			ids.llm = llm.ID()
			var answer strings.Builder
			for _, tok := range answerTokens {
				time.Sleep(time.Millisecond) // the simulated LLM thinking
				answer.WriteString(tok)
				llm.Token(tok)
			}
			if fail != nil {
				llm.End(fail)
				return "", fail
			}
			llm.EndWith(map[string]any{
				events.KeyGenAIResponseModel:     "simulated-llm",
				events.KeyGenAIUsageInputTokens:  len(strings.Fields(question + strings.Join(docs, " "))),
				events.KeyGenAIUsageOutputTokens: len(strings.Fields(answer.String())),
			}, nil)
			return answer.String(), nil
		})
	_, err := forward(ctx, question)
	return ids, err
}

// newTextLogger returns a logger writing text lines to w.
func newTextLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lockedBuffer is a buffer loggers on other goroutines may write to.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// supervisorRetry retries fast, so that fault tests do not wait.
func supervisorRetry() supervisor.Retry {
	return supervisor.Retry{InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond}
}

// supervisorBreaker probes often, so that fault tests do not wait.
func supervisorBreaker() supervisor.BreakerPolicy {
	return supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 50 * time.Millisecond}
}
