package llmhttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// reply is what a test server answers: a status, a content type and a body.
// An event-stream body is written one event at a time, each flushed.
type reply struct {
	status      int
	contentType string
	body        string
	header      http.Header // more response headers
}

func (r reply) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	for k, v := range r.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", r.contentType)
	w.WriteHeader(cmpOr(r.status, http.StatusOK))
	var parts []string
	switch r.contentType {
	case "text/event-stream":
		parts = splitEvents(r.body)
	case "application/x-ndjson":
		parts = strings.SplitAfter(r.body, "\n")
	default:
		_, _ = io.WriteString(w, r.body)
		return
	}
	for _, p := range parts {
		_, _ = io.WriteString(w, p)
		w.(http.Flusher).Flush()
	}
}

func ndjsonReply(body string) reply { return reply{contentType: "application/x-ndjson", body: body} }

// roundTrip posts request to path on a server answering with r, through a
// client instrumented with cfg (and a bus of its own), reads the whole
// response and closes it, and returns what the caller read and every event.
func roundTrip(t *testing.T, cfg llmhttp.Config, r http.Handler, path, request string) (string, []events.Event) {
	t.Helper()
	srv := newServer(t, r)
	b, mem := newBus(t)
	cfg.Bus = b
	client := newClient(t, cfg)
	resp := post(t, context.Background(), client, srv.URL+path, request)
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	closeBus(t, b)
	return string(got), mem.Events()
}

// last returns the last event of evs.
func last(t *testing.T, evs []events.Event) events.Event {
	t.Helper()
	if len(evs) == 0 {
		t.Fatal("no events")
	}
	return evs[len(evs)-1]
}

// tokenEvents returns the token events of evs.
func tokenEvents(evs []events.Event) []events.Event {
	var out []events.Event
	for _, ev := range evs {
		if ev.EventType == events.TypeToken {
			out = append(out, ev)
		}
	}
	return out
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func stream(body string) reply { return reply{contentType: "text/event-stream", body: body} }
func jsonReply(status int, body string) reply {
	return reply{status: status, contentType: "application/json", body: body}
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// newBus returns a bus delivering to a memory sink; it is closed when the
// test ends (closeBus closes it earlier, to read every event).
func newBus(t testing.TB) (*bus.Bus, *memory.Sink) { return newBusWith(t, memory.Config{}) }

func newBusWith(t testing.TB, cfg memory.Config) (*bus.Bus, *memory.Sink) {
	t.Helper()
	mem, err := memory.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeBus(t, b) })
	return b, mem
}

// closeBus closes b, so that every event emitted so far is delivered.
func closeBus(t testing.TB, b *bus.Bus) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Errorf("closing bus: %v", err)
	}
}

// newClient returns a client whose transport is instrumented with cfg, over a
// base transport of its own that is cleaned up with the test.
func newClient(t testing.TB, cfg llmhttp.Config) *http.Client {
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	cfg.Base = base
	return &http.Client{Transport: llmhttp.Transport(cfg)}
}

func post(t testing.TB, ctx context.Context, c *http.Client, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// waitFor waits until mem holds n events.
func waitFor(t testing.TB, mem *memory.Sink, n int) []events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mem.Wait(ctx, n); err != nil {
		t.Fatalf("waiting for %d events (have %d): %v", n, mem.Len(), err)
	}
	return mem.Events()
}

// types lists the event types of evs.
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

// checkData reports every key of want whose value in got differs (compared
// as fmt prints them, so that 12 and int64(12) match), and every key of
// absent that got has.
func checkData(t testing.TB, what string, got, want map[string]any, absent ...string) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: data[%q] missing, want %v (data: %v)", what, k, w, got)
			continue
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("%s: data[%q] = %v, want %v", what, k, g, w)
		}
	}
	for _, k := range absent {
		if v, ok := got[k]; ok {
			t.Errorf("%s: data[%q] = %v, want it absent", what, k, v)
		}
	}
}

// tokenTexts lists the text of the token events of evs.
func tokenTexts(evs []events.Event) []string {
	var out []string
	for _, ev := range evs {
		if ev.EventType == events.TypeToken {
			s, _ := ev.Data[events.KeyToken].(string)
			out = append(out, s)
		}
	}
	return out
}
