package bus

import (
	"encoding/json"
	"net/http"

	"github.com/streamll/streamll-go/actors/sinks"
)

// HealthReport is what HealthHandler serves.
type HealthReport struct {
	// Healthy is true when every sink is running with a closed circuit.
	Healthy bool `json:"healthy"`
	// Sinks holds one snapshot per sink, in configuration order.
	Sinks []sinks.Health `json:"sinks"`
}

// Report returns the health of every sink and an overall verdict.
func (b *Bus) Report() HealthReport {
	r := HealthReport{Healthy: true, Sinks: b.Health()}
	for _, h := range r.Sinks {
		if !h.Healthy() {
			r.Healthy = false
		}
	}
	return r
}

// HealthHandler serves Report as JSON: status 200 when every sink is healthy,
// 503 otherwise, so it can back a readiness or liveness probe directly.
// Errors in it are already redacted.
func (b *Bus) HealthHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		r := b.Report()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if !r.Healthy {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(r) // the client went away; nothing to do
	})
}
