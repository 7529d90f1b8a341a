package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// sseReader reads named events off a Server-Sent Events stream.
type sseReader struct{ sc *bufio.Scanner }

func (r *sseReader) next(t *testing.T) (string, *delta) {
	t.Helper()
	name := ""
	for r.sc.Scan() {
		line := r.sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			var d delta
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
				t.Fatal(err)
			}
			return name, &d
		}
	}
	t.Fatalf("stream ended: %v", r.sc.Err())
	return "", nil
}

// TestServer: a page gets a snapshot, then deltas with new events and, with
// HealthURL, the bus's sink health.
func TestServer(t *testing.T) {
	mem, err := memory.New(memory.Config{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{mem}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close(context.Background())
	health := httptest.NewServer(b.HealthHandler())
	defer health.Close()

	s := New(Config{Source: "test source", HealthURL: health.URL, HealthEvery: 10 * time.Millisecond, Flush: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	web := httptest.NewServer(s.Handler())
	defer web.Close()

	for _, path := range []string{"/", "/app.js", "/style.css"} {
		resp, err := http.Get(web.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("GET %s: %d, %d bytes", path, resp.StatusCode, len(body))
		}
	}

	resp, err := http.Get(web.URL + "/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	r := &sseReader{sc: bufio.NewScanner(resp.Body)}
	if name, d := r.next(t); name != "snapshot" || !d.Snapshot || d.Source.Name != "test source" {
		t.Fatalf("first event %s %+v", name, d)
	}
	s.Add([]*events.Event{ev("x", "", events.TypeStart, 0, nil)})
	sawExec, sawHealth := false, false
	for !sawExec || !sawHealth {
		_, d := r.next(t)
		for _, x := range d.Executions {
			sawExec = sawExec || x.ID == "x"
		}
		if d.Health != nil && len(d.Health.Sinks) == 1 && d.Health.Sinks[0].Name == "memory" && d.Health.Sinks[0].Circuit == "closed" {
			sawHealth = true
		}
	}
}

func TestHealthUnreachable(t *testing.T) {
	s := New(Config{HealthURL: "http://user:s3cret@127.0.0.1:1/health"})
	v := s.readHealth(t.Context(), http.DefaultClient)
	if !strings.HasPrefix(v.Error, "unreachable") || strings.Contains(v.Error+v.URL, "s3cret") {
		t.Errorf("health view %+v", v)
	}
}
