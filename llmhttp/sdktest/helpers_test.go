package sdktest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// server answers each request with the next of its replies (the last one
// again once they run out), and keeps the request bodies it got.
type server struct {
	mu      sync.Mutex
	replies []reply
	bodies  []string
}

// reply is one response: a status, headers, and a body written in parts,
// each flushed (the events of a stream, the lines of NDJSON).
type reply struct {
	status      int
	contentType string
	header      http.Header
	parts       []string
}

func newServer(t *testing.T, replies ...reply) (*server, string) {
	t.Helper()
	s := &server{replies: replies}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(body))
	rep := s.replies[min(n, len(s.replies)-1)]
	s.mu.Unlock()
	for k, v := range rep.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", rep.contentType)
	w.WriteHeader(cmpOr(rep.status, http.StatusOK))
	for _, p := range rep.parts {
		_, _ = io.WriteString(w, p)
		w.(http.Flusher).Flush()
	}
}

func (s *server) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// sse is a text/event-stream reply of the given events (each "data: ..."
// or "event: ...\ndata: ...").
func sse(evs ...string) reply {
	r := reply{contentType: "text/event-stream"}
	for _, ev := range evs {
		r.parts = append(r.parts, ev+"\n\n")
	}
	return r
}

// ndjson is an application/x-ndjson reply of the given lines.
func ndjson(lines ...string) reply {
	r := reply{contentType: "application/x-ndjson"}
	for _, l := range lines {
		r.parts = append(r.parts, l+"\n")
	}
	return r
}

func jsonReply(status int, body string, header http.Header) reply {
	return reply{status: status, contentType: "application/json", header: header, parts: []string{body}}
}

// newBus returns a bus delivering to a memory sink, closed at the test's
// end; events closes it first and returns every event.
func newBus(t *testing.T) (*bus.Bus, func() []events.Event) {
	t.Helper()
	mem, err := memory.New(memory.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	closeBus := func() {
		if closed {
			return
		}
		closed = true
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("closing the bus: %v", err)
		}
	}
	t.Cleanup(closeBus)
	return b, func() []events.Event { closeBus(); return mem.Events() }
}

// baseTransport is an http.Transport closed with the test.
func baseTransport(t *testing.T) *http.Transport {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

func types(evs []events.Event) string {
	var b strings.Builder
	for i, ev := range evs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(string(ev.EventType))
	}
	return b.String()
}

// checkData reports each key of want whose value in got differs, compared as
// fmt prints them.
func checkData(t *testing.T, what string, got, want map[string]any) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: data[%q] missing, want %v (data: %v)", what, k, w, got)
		} else if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: data[%q] = %v, want %v", what, k, g, w)
		}
	}
}

// toolTokens returns the token events of tool-call arguments, and their
// text joined.
func toolTokens(evs []events.Event) (n int, text string) {
	var b strings.Builder
	for _, ev := range evs {
		if ev.EventType == events.TypeToken && ev.Data[events.KeyField] == "tool_call" {
			n++
			s, _ := ev.Data[events.KeyToken].(string)
			b.WriteString(s)
		}
	}
	return n, b.String()
}

func ctxTimeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}
