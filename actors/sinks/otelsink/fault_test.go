package otelsink_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// write calls s.Write with a bounded context.
func write(t *testing.T, s sinks.Sink, batch []*events.Event, limit time.Duration) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	return s.Write(ctx, batch)
}

// spanIDs counts the spans received per span id.
func spanIDs(spans []otlptest.Span) map[string]int {
	m := map[string]int{}
	for _, s := range spans {
		m[s.SpanID]++
	}
	return m
}

// A receiver that answers a retryable status leaves the sink as it was: the
// retry of the same batch makes the same spans, and each arrives once.
func TestRetryableAnswers(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusInternalServerError, http.StatusGatewayTimeout, http.StatusRequestTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rcv := otlptest.New(t)
			s := newSink(t, rcv, otelsink.Config{})
			batch := sinktest.MakeExecutions(12, "retry") // 5 spans
			rcv.Answer(func(*http.Request) otlptest.Reply { return otlptest.Reply{Status: status} })
			err := write(t, s, batch, wait)
			if err == nil || sinks.IsPermanent(err) || !errors.Is(err, otelsink.ErrExport) {
				t.Fatalf("Write = %v, want a retryable export error", err)
			}
			if st := s.Stats(); st.Spans != 0 || st.Open != 0 || st.Lost != 0 {
				t.Errorf("after the failure: %+v", st)
			}
			rcv.Answer(nil)
			if err := write(t, s, batch, wait); err != nil {
				t.Fatalf("retry: %v", err)
			}
			spans := rcv.Spans()
			if len(spans) != 5 {
				t.Fatalf("received %d spans, want 5", len(spans))
			}
			for id, n := range spanIDs(spans) {
				if n != 1 {
					t.Errorf("span %s received %d times", id, n)
				}
			}
			if st := s.Stats(); st.Spans != 5 || st.WithoutStart != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// A 4xx other than 408 and 429 cannot be cured by retrying: the batch's
// error is permanent, its spans are counted lost, and the sink goes on.
func TestPermanentAnswers(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden,
		http.StatusNotFound, http.StatusRequestEntityTooLarge} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			rcv := otlptest.New(t)
			s := newSink(t, rcv, otelsink.Config{})
			rcv.Answer(func(*http.Request) otlptest.Reply { return otlptest.Reply{Status: status} })
			err := write(t, s, sinktest.MakeExecutions(12, "refused"), wait)
			if !sinks.IsPermanent(err) || !errors.Is(err, otelsink.ErrExport) {
				t.Fatalf("Write = %v, want a permanent export error", err)
			}
			if st := s.Stats(); st.Lost != 5 || st.Spans != 0 {
				t.Errorf("stats %+v, want 5 lost", st)
			}
			rcv.Answer(nil)
			if err := write(t, s, sinktest.MakeExecutions(3, "after"), wait); err != nil {
				t.Fatal(err)
			}
			if n := len(rcv.Spans()); n != 1 {
				t.Errorf("received %d spans after the refusal, want 1", n)
			}
		})
	}
}

// An OTLP partial success is a delivery; the rejected spans are counted and
// logged.
func TestPartialSuccess(t *testing.T) {
	rcv := otlptest.New(t)
	var logs strings.Builder
	s := newSink(t, rcv, otelsink.Config{Logger: newTextLogger(&logs)})
	rcv.Answer(func(*http.Request) otlptest.Reply {
		return otlptest.Reply{Rejected: 2, Message: "2 spans had no name"}
	})
	if err := write(t, s, sinktest.MakeExecutions(12, "partial"), wait); err != nil {
		t.Fatalf("Write = %v, want nil: the request was accepted", err)
	}
	if st := s.Stats(); st.Rejected != 2 || st.Spans != 5 {
		t.Errorf("stats %+v, want 2 rejected of 5", st)
	}
	if !strings.Contains(logs.String(), "2 spans had no name") {
		t.Errorf("log %q does not say what the receiver rejected", logs.String())
	}
}

// Through a bus, an outage opens the sink's breaker while the host buffers;
// after it, every execution arrives exactly once and Health accounts for
// every event.
func TestOutageThroughTheBus(t *testing.T) {
	rcv := otlptest.New(t)
	proxy := faultproxy.New(t, rcv.Addr())
	s := newSink(t, rcv, otelsink.Config{
		Endpoint: "http://" + proxy.Addr(),
		Options: sinks.Options{
			// Long enough never to end a Write on a loaded machine: a
			// Write that times out after the receiver took its request
			// would send it again, and this test counts exact copies.
			WriteTimeout: 10 * time.Second,
			Retry:        supervisor.Retry{InitialInterval: 10 * time.Millisecond, MaxInterval: 50 * time.Millisecond},
			Breaker:      supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 100 * time.Millisecond},
		},
	})
	b, mem := newBus(t, s)
	ctx := context.Background()
	const calls = 10
	if _, err := rag(ctx, b, "What does streamll-go do?", nil, nil); err != nil {
		t.Fatal(err)
	}
	// Cut only once the sink has the receiver's answer: a cut between the
	// receiver taking the request and the answer arriving fails the Write,
	// and its retry sends the spans again (at-least-once, by design).
	waitFor(t, "the first call's spans to be accepted", func() bool { return s.Stats().Spans == 3 })

	proxy.Cut()
	for range calls {
		if _, err := rag(ctx, b, "Does Emit block?", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the breaker to open", func() bool {
		h := health(b, s.Name())
		return h.CircuitOpen() && h.FailedAttempts >= 3
	})
	proxy.Restore()
	if err := closeBus(b); err != nil {
		t.Fatal(err)
	}
	spans := rcv.Spans()
	if len(spans) != 3*(calls+1) {
		t.Errorf("received %d spans, want %d", len(spans), 3*(calls+1))
	}
	for id, n := range spanIDs(spans) {
		if n != 1 {
			t.Errorf("span %s received %d times", id, n)
		}
	}
	h := health(b, s.Name())
	if h.Delivered != uint64(mem.Len()) || h.DroppedTotal() != 0 {
		t.Errorf("health delivered %d dropped %v, want all %d events delivered", h.Delivered, h.Dropped, mem.Len())
	}
	if st := s.Stats(); st.Spans != int64(len(spans)) || st.Open != 0 || st.Incomplete != 0 {
		t.Errorf("stats %+v", st)
	}
}

func health(b *bus.Bus, name string) sinks.Health {
	for _, h := range b.Health() {
		if h.Name == name {
			return h
		}
	}
	return sinks.Health{}
}

// waitFor polls cond, cheap and in memory, until it holds or wait passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
