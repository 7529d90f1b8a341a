package urlparams_test

import (
	"net/url"
	"testing"

	"github.com/streamll/streamll-go/internal/urlparams"
)

func TestRefuse(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  string
	}{
		{"pool_size=4&dial_timeout=1s", ""},
		{"stream=ai_events", `setting "stream" belongs to sink URLs (package sinkurl), not to Config.URL: set Config.StreamKey instead`},
		{"stream=a&batch=10&pool_size=4", `settings "batch", "stream" belong to sink URLs (package sinkurl), not to Config.URL: set Config.Options.BatchSize, Config.StreamKey instead`},
	} {
		q, _ := url.ParseQuery(tt.query)
		err := urlparams.Refuse(q, urlparams.Redis, "URL")
		if got := ""; err != nil {
			got = err.Error()
			if got != tt.want {
				t.Errorf("Refuse(%s) = %q, want %q", tt.query, got, tt.want)
			}
		} else if tt.want != "" {
			t.Errorf("Refuse(%s) = nil, want %q", tt.query, tt.want)
		}
	}
}
