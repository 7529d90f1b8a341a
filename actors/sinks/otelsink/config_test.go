package otelsink_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/otelsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/otlptest"
)

// secrets are the credentials of these tests; none may appear in an error,
// a log line, a Name or Health.
var secrets = []string{"s3cret-pass", "hdr-s3cret"}

func checkNoSecret(t *testing.T, where, s string) {
	t.Helper()
	for _, secret := range secrets {
		if strings.Contains(s, secret) {
			t.Errorf("%s shows a secret: %s", where, s)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  otelsink.Config
		want []string
	}{
		{"scheme", otelsink.Config{Endpoint: "grpc://user:s3cret-pass@host:4317"}, []string{`scheme "grpc" is not http or https`, "user:xxxxx@host"}},
		{"no host", otelsink.Config{Endpoint: "http:///v1/traces"}, []string{"no host"}},
		{"query", otelsink.Config{Endpoint: "http://host:4318?x=1"}, []string{"no query"}},
		{"unparsable with credentials", otelsink.Config{Endpoint: "http://user:s3cret-pass@ho st"}, []string{"details withheld"}},
		{"header name", otelsink.Config{Headers: map[string]string{"bad name": "hdr-s3cret"}}, []string{`header name "bad name"`}},
		{"header value", otelsink.Config{Headers: map[string]string{"x-api-key": "hdr-s3cret\r\nx: y"}}, []string{`header "x-api-key" holds a control character (value withheld)`}},
		{"two credentials", otelsink.Config{Endpoint: "https://pk:s3cret-pass@host", Headers: map[string]string{"authorization": "hdr-s3cret"}}, []string{"give one of them"}},
		{"negatives", otelsink.Config{IncompleteAfter: -1, MaxOpen: -1}, []string{"IncompleteAfter -1ns", "MaxOpen -1"}},
		{"host options", otelsink.Config{Options: sinks.Options{BatchSize: -1}}, []string{"BatchSize -1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := otelsink.New(tc.cfg)
			if err == nil {
				closeSink(t, s)
				t.Fatal("New accepted the config")
			}
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap sinks.ErrInvalidConfig", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			checkNoSecret(t, "the error", err.Error())
		})
	}
}

// Headers and the endpoint's credentials go with every request, and nowhere
// else: not in Name, a failed export's error, Health or the log.
func TestCredentialsAreSentAndNeverShown(t *testing.T) {
	rcv := otlptest.New(t)
	var logs lockedBuffer
	endpoint := strings.Replace(rcv.URL(), "http://", "http://pk-lf-1:s3cret-pass@", 1)
	s := newSink(t, rcv, otelsink.Config{
		Endpoint: endpoint,
		Headers:  map[string]string{"x-api-key": "hdr-s3cret", "Langsmith-Project": "demo"},
		Logger:   newTextLogger(&logs),
		Options:  sinks.Options{Retry: fastRetry, Breaker: fastBreaker},
	})
	checkNoSecret(t, "Name", s.Name())
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{s}, Logger: newTextLogger(&logs)})
	if err != nil {
		t.Fatal(err)
	}
	rcv.Answer(func(r *http.Request) otlptest.Reply {
		return otlptest.Reply{Status: http.StatusUnauthorized}
	})
	for _, ev := range sinktest.MakeExecutions(3, "auth") {
		b.Emit(*ev)
	}
	waitFor(t, "the refused batch to be counted", func() bool { return health(b, s.Name()).DroppedTotal() > 0 })
	h := health(b, s.Name())
	checkNoSecret(t, "Health.LastError", h.LastError)
	if !strings.Contains(h.LastError, "401") {
		t.Errorf("LastError %q does not say 401", h.LastError)
	}
	rcv.Answer(nil)
	for _, ev := range sinktest.MakeExecutions(3, "ok") {
		b.Emit(*ev)
	}
	// Close reports the refused batch, and only that.
	err = closeBus(b)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || ce.Total() != ce.Lost[s.Name()][sinks.DropPermanent] || ce.Err != nil {
		t.Fatalf("Close = %v, want only the refused batch reported", err)
	}
	checkNoSecret(t, "Close's error", err.Error())
	checkNoSecret(t, "the log", logs.String())
	reqs := rcv.Requests()
	if len(reqs) < 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	for _, r := range reqs {
		if r.Header.Get("x-api-key") != "hdr-s3cret" || r.Header.Get("Langsmith-Project") != "demo" {
			t.Errorf("headers %v", r.Header)
		}
		user, pass, ok := (&http.Request{Header: r.Header}).BasicAuth()
		if !ok || user != "pk-lf-1" || pass != "s3cret-pass" {
			t.Errorf("basic auth %q %q %v", user, pass, ok)
		}
	}
}

var (
	fastRetry   = supervisorRetry()
	fastBreaker = supervisorBreaker()
)

// The OTEL_EXPORTER_OTLP_* variables change nothing Config says: no header,
// endpoint, compression or protocol comes from the environment.
func TestTheEnvironmentIsNotRead(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-from-env=1")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
	t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "gzip")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	t.Setenv("OTEL_SERVICE_NAME", "from-env")
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{ServiceName: "chatbot"})
	if err := write(t, s, sinktest.MakeExecutions(3, "env"), wait); err != nil {
		t.Fatal(err)
	}
	r := rcv.Requests()[0]
	if r.Header.Get("x-from-env") != "" || r.Header.Get("Content-Encoding") != "" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("request headers %v: the environment changed the export", r.Header)
	}
	if sp := rcv.Spans()[0]; sp.Resource["service.name"] != "chatbot" {
		t.Errorf("service.name %v", sp.Resource["service.name"])
	}
}

func TestGzip(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{Gzip: true})
	if err := write(t, s, sinktest.MakeExecutions(3, "gzip"), wait); err != nil {
		t.Fatal(err)
	}
	if r := rcv.Requests()[0]; r.Header.Get("Content-Encoding") != "gzip" || !r.Decoded || len(rcv.Spans()) != 1 {
		t.Errorf("request %+v, %d spans", r, len(rcv.Spans()))
	}
}

func TestResource(t *testing.T) {
	tests := []struct {
		name     string
		cfg      otelsink.Config
		service  string
		envValue any
	}{
		{"default service name", otelsink.Config{}, "unknown_service:", nil},
		{"ServiceName", otelsink.Config{ServiceName: "chatbot"}, "chatbot", nil},
		{"Resource", otelsink.Config{Resource: resource.NewSchemaless(semconv.ServiceName("from-resource"), semconv.DeploymentEnvironmentNameKey.String("prod"))}, "from-resource", "prod"},
		{"ServiceName over Resource", otelsink.Config{ServiceName: "chatbot", Resource: resource.NewSchemaless(semconv.ServiceName("from-resource"), semconv.DeploymentEnvironmentNameKey.String("prod"))}, "chatbot", "prod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rcv := otlptest.New(t)
			s := newSink(t, rcv, tc.cfg)
			if err := write(t, s, sinktest.MakeExecutions(1, "res"), wait); err != nil {
				t.Fatal(err)
			}
			res := rcv.Spans()[0].Resource
			if name, _ := res["service.name"].(string); !strings.HasPrefix(name, tc.service) {
				t.Errorf("service.name %q, want %q", name, tc.service)
			}
			if res["deployment.environment.name"] != tc.envValue || res["telemetry.sdk.language"] != "go" {
				t.Errorf("resource %v", res)
			}
		})
	}
}

// Rebuild makes a fresh sink of the same configuration: same name, its own
// state, working on its own.
func TestRebuild(t *testing.T) {
	rcv := otlptest.New(t)
	s := newSink(t, rcv, otelsink.Config{})
	open := sinktest.MakeExecutions(2, "open")[:1] // a start
	if err := write(t, s, open, wait); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	fresh, err := s.Rebuild(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeSink(t, fresh) })
	f := fresh.(*otelsink.Sink)
	if f == s || f.Name() != s.Name() || f.Stats().Open != 0 || s.Stats().Open != 1 {
		t.Fatalf("fresh %s open %d; old open %d", f.Name(), f.Stats().Open, s.Stats().Open)
	}
	if err := write(t, f, sinktest.MakeExecutions(3, "fresh"), wait); err != nil {
		t.Fatal(err)
	}
	if n := len(rcv.Spans()); n != 1 {
		t.Errorf("%d spans, want the fresh sink's 1", n)
	}
}

func TestEnvConfig(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		check   func(t *testing.T, cfg otelsink.Config)
		wantErr []string
	}{
		{
			name: "Langfuse",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "https://cloud.langfuse.com/api/public/otel",
				"OTEL_EXPORTER_OTLP_HEADERS":  "Authorization=Basic%20cGs6c2s=,x-langfuse-ingestion-version=4",
				"OTEL_SERVICE_NAME":           "chatbot",
			},
			check: func(t *testing.T, cfg otelsink.Config) {
				if cfg.Endpoint != "https://cloud.langfuse.com/api/public/otel" || cfg.Headers["Authorization"] != "Basic cGs6c2s=" ||
					cfg.Headers["x-langfuse-ingestion-version"] != "4" || cfg.ServiceName != "chatbot" {
					t.Errorf("%+v", cfg)
				}
			},
		},
		{
			name: "traces variables win",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT":           "http://generic:4318",
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT":    "https://api.smith.langchain.com/otel/v1/traces",
				"OTEL_EXPORTER_OTLP_HEADERS":            "x-api-key=generic,a=1",
				"OTEL_EXPORTER_OTLP_TRACES_HEADERS":     "x-api-key=hdr-s3cret",
				"OTEL_EXPORTER_OTLP_COMPRESSION":        "none",
				"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "gzip",
				"OTEL_EXPORTER_OTLP_TIMEOUT":            "2500",
				"OTEL_EXPORTER_OTLP_PROTOCOL":           "http/protobuf",
				"OTEL_RESOURCE_ATTRIBUTES":              "deployment.environment.name=prod",
			},
			check: func(t *testing.T, cfg otelsink.Config) {
				if cfg.Endpoint != "https://api.smith.langchain.com/otel/v1/traces" || cfg.Headers["x-api-key"] != "hdr-s3cret" ||
					cfg.Headers["a"] != "1" || !cfg.Gzip || cfg.Options.WriteTimeout != 2500*time.Millisecond {
					t.Errorf("%+v", cfg)
				}
				if v, ok := cfg.Resource.Set().Value("deployment.environment.name"); !ok || v.AsString() != "prod" {
					t.Errorf("resource %v", cfg.Resource)
				}
			},
		},
		{
			name: "nothing set",
			env:  map[string]string{},
			check: func(t *testing.T, cfg otelsink.Config) {
				if cfg.Endpoint != "" || cfg.Headers != nil || cfg.Resource != nil || cfg.TLSConfig != nil {
					t.Errorf("%+v", cfg)
				}
			},
		},
		{
			name: "errors",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://host/custom",
				"OTEL_EXPORTER_OTLP_HEADERS":         "x-api-key=hdr-s3cret%zz",
				"OTEL_EXPORTER_OTLP_COMPRESSION":     "zstd",
				"OTEL_EXPORTER_OTLP_TIMEOUT":         "2s",
				"OTEL_EXPORTER_OTLP_PROTOCOL":        "grpc",
				"OTEL_EXPORTER_OTLP_CERTIFICATE":     notPEM,
			},
			wantErr: []string{
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT https://host/custom: the path must end in /v1/traces",
				`OTEL_EXPORTER_OTLP_HEADERS the value of header "x-api-key" is not percent-encoded correctly (value withheld)`,
				`OTEL_EXPORTER_OTLP_COMPRESSION "zstd" is not gzip or none`,
				`OTEL_EXPORTER_OTLP_TIMEOUT "2s" is not a whole number of milliseconds`,
				`OTEL_EXPORTER_OTLP_PROTOCOL "grpc" is not supported`,
				"OTEL_EXPORTER_OTLP_CERTIFICATE " + notPEM + " holds no PEM certificate",
			},
		},
	}
	vars := []string{"ENDPOINT", "TRACES_ENDPOINT", "HEADERS", "TRACES_HEADERS", "COMPRESSION", "TRACES_COMPRESSION",
		"TIMEOUT", "TRACES_TIMEOUT", "PROTOCOL", "TRACES_PROTOCOL", "CERTIFICATE", "TRACES_CERTIFICATE",
		"CLIENT_CERTIFICATE", "TRACES_CLIENT_CERTIFICATE", "CLIENT_KEY", "TRACES_CLIENT_KEY"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range vars {
				t.Setenv("OTEL_EXPORTER_OTLP_"+v, "")
			}
			t.Setenv("OTEL_SERVICE_NAME", "")
			t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			cfg, err := otelsink.EnvConfig()
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, cfg)
				return
			}
			if !errors.Is(err, sinks.ErrInvalidConfig) {
				t.Fatalf("EnvConfig error %v does not wrap ErrInvalidConfig", err)
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
			checkNoSecret(t, "the error", err.Error())
		})
	}
}
