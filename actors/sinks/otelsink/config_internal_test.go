package otelsink

import "testing"

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, url, shown string
		auth           bool
	}{
		{"http://localhost:4318", "http://localhost:4318/v1/traces", "localhost:4318", false},
		{"http://localhost:4318/", "http://localhost:4318/v1/traces", "localhost:4318", false},
		{"HTTPS://collector.example:4318", "https://collector.example:4318/v1/traces", "collector.example:4318", false},
		{"https://cloud.langfuse.com/api/public/otel", "https://cloud.langfuse.com/api/public/otel/v1/traces", "cloud.langfuse.com/api/public/otel", false},
		{"https://cloud.langfuse.com/api/public/otel/v1/traces", "https://cloud.langfuse.com/api/public/otel/v1/traces", "cloud.langfuse.com/api/public/otel", false},
		{"https://api.smith.langchain.com/otel/", "https://api.smith.langchain.com/otel/v1/traces", "api.smith.langchain.com/otel", false},
		{"https://pk-lf-1:sk-lf-2@cloud.langfuse.com/api/public/otel", "https://cloud.langfuse.com/api/public/otel/v1/traces", "cloud.langfuse.com/api/public/otel", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			ep, err := parseEndpoint(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if ep.url != tc.url || ep.shown != tc.shown || (ep.auth != "") != tc.auth {
				t.Errorf("got %+v, want url %s shown %s auth %v", ep, tc.url, tc.shown, tc.auth)
			}
		})
	}
	ep, _ := parseEndpoint("https://pk-lf-1:sk-lf-2@cloud.langfuse.com/api/public/otel")
	if ep.auth != "Basic cGstbGYtMTpzay1sZi0y" { // base64("pk-lf-1:sk-lf-2")
		t.Errorf("auth %q", ep.auth)
	}
}
