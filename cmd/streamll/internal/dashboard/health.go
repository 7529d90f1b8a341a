package dashboard

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// healthView is the last health report read from a bus's HealthHandler.
type healthView struct {
	URL     string       `json:"url"`
	At      int64        `json:"at"` // ms since the epoch, when it was read
	Healthy bool         `json:"healthy"`
	Sinks   []sinkHealth `json:"sinks"`
	Error   string       `json:"error,omitempty"` // the endpoint did not answer
}

// sinkHealth is the part of sinks.Health the page shows.
type sinkHealth struct {
	Name      string            `json:"name"`
	State     string            `json:"state"`
	Circuit   string            `json:"circuit"`
	Received  uint64            `json:"received"`
	Delivered uint64            `json:"delivered"`
	Buffered  int               `json:"buffered"`
	Dropped   map[string]uint64 `json:"dropped"`
	Restarts  uint64            `json:"restarts"`
	LastError string            `json:"last_error,omitempty"`
}

func (s *Server) pollHealth(ctx context.Context) {
	client := &http.Client{Timeout: 2 * time.Second}
	t := time.NewTicker(s.cfg.HealthEvery)
	defer t.Stop()
	for {
		v := s.readHealth(ctx, client)
		s.mu.Lock()
		s.health, s.healthDirty = v, true
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) readHealth(ctx context.Context, client *http.Client) *healthView {
	v := &healthView{URL: redact(s.cfg.HealthURL), At: s.cfg.Now().UnixMilli()}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.cfg.HealthURL, nil)
	if err != nil {
		v.Error = "bad health URL"
		return v
	}
	resp, err := client.Do(req)
	if err != nil {
		v.Error = "unreachable: " + scrubURL(err.Error(), s.cfg.HealthURL)
		return v
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		v.Error = "reading: " + err.Error()
		return v
	}
	// 503 is a report too: a sink is unhealthy.
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
		v.Error = fmt.Sprintf("HTTP %d", resp.StatusCode)
		return v
	}
	var report struct {
		Healthy bool         `json:"healthy"`
		Sinks   []sinkHealth `json:"sinks"`
	}
	if err := json.Unmarshal(body, &report); err != nil {
		v.Error = "not a health report"
		return v
	}
	v.Healthy, v.Sinks = report.Healthy, report.Sinks
	return v
}
