package bus_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestHealthHandler(t *testing.T) {
	good, bad := newFake(), newFake()
	bad.behave = func(int, []*events.Event) error { panic("broken driver") }
	b := newBus(t, sinks.WithOptions(good, sinks.Options{Name: "good"}), sinks.WithOptions(bad, sinks.Options{Name: "bad",
		Supervision: supervisor.Policy{MaxRestarts: -1}}))
	defer closeBus(t, b)

	get := func() (int, bus.HealthReport, map[string]any) {
		rec := httptest.NewRecorder()
		b.HealthHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/health", nil))
		var r bus.HealthReport
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("body %q: %v", rec.Body, err)
		}
		var raw map[string]any
		json.Unmarshal(rec.Body.Bytes(), &raw)
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
		return rec.Code, r, raw
	}
	if code, r, _ := get(); code != http.StatusOK || !r.Healthy || len(r.Sinks) != 2 {
		t.Fatalf("fresh bus: %d %+v", code, r)
	}
	b.Emit(events.Event{EventType: "x"})
	waitFor(t, "the bad sink to stop", func() bool { return b.Health()[1].State == sinks.Stopped })
	code, r, raw := get()
	if code != http.StatusServiceUnavailable || r.Healthy {
		t.Fatalf("with a stopped sink: %d %+v", code, r)
	}
	sink := raw["sinks"].([]any)[1].(map[string]any)
	if sink["state"] != "stopped" || sink["name"] != "bad" || sink["last_error"] == "" {
		t.Errorf("stopped sink as JSON: %v", sink)
	}
	if dropped := sink["dropped"].(map[string]any); dropped["sink_stopped"] != 1.0 {
		t.Errorf("dropped = %v", dropped)
	}
	if _, err := time.Parse(time.RFC3339, sink["circuit_since"].(string)); err != nil {
		t.Errorf("circuit_since: %v", err)
	}
}
