package otelsink

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// maxResponse bounds the response body the recorder reads, as the exporter
// bounds it (4 MiB).
const maxResponse = 4 << 20

// newTransport returns the sink's own HTTP transport: its connections are
// the sink's, closed by its Close, and no other code changes its settings.
func newTransport(cfg Config) *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   30 * time.Second, // the Write's context usually ends it first
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2, // one Write at a time
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       cfg.TLSConfig.Clone(),
	}
}

// outcome is what the receiver answered to the last request.
type outcome struct {
	status   int    // 0: no response
	rejected int64  // spans a partial success rejected
	message  string // its error message
}

// recorder is the RoundTripper under the exporter: it records the status of
// each response, and reads an OTLP partial success itself, so that the sink
// classifies the outcome from what the receiver said rather than from the
// text of the exporter's errors.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	last outcome
}

func (r *recorder) reset() {
	r.mu.Lock()
	r.last = outcome{}
	r.mu.Unlock()
}

func (r *recorder) outcome() outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// RoundTrip sends req and records the receiver's answer.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	got := outcome{status: resp.StatusCode}
	if resp.StatusCode/100 == 2 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-protobuf") {
		body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
		_ = resp.Body.Close()
		var msg coltracepb.ExportTraceServiceResponse
		if readErr == nil && proto.Unmarshal(body, &msg) == nil && msg.GetPartialSuccess() != nil {
			got.rejected = msg.GetPartialSuccess().GetRejectedSpans()
			got.message = msg.GetPartialSuccess().GetErrorMessage()
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	r.mu.Lock()
	r.last = got
	r.mu.Unlock()
	return resp, nil
}
