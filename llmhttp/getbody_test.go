package llmhttp_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// With GetBody (set by the SDKs for their retries) the middleware inspects a
// copy and sends the caller's body untouched: a body still being produced
// when the request goes out is not read ahead of the transport.
func TestInspectsACopyWhenGetBodyIsSet(t *testing.T) {
	b, mem := newBus(t)
	mw := llmhttp.Middleware(llmhttp.Config{Bus: b})
	pr, pw := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/chat/completions", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(len(chatRequest))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(chatRequest)), nil }
	sent := make(chan struct{})
	go func() { // the producer writes only once the request is on its way
		<-sent
		pw.Write([]byte(chatRequest))
		pw.Close()
	}()
	next := func(r *http.Request) (*http.Response, error) {
		if r.Body != req.Body {
			t.Error("the caller's body was replaced although GetBody gave a copy")
		}
		close(sent)
		got, err := io.ReadAll(r.Body)
		if err != nil || string(got) != chatRequest {
			t.Errorf("sent %q, %v", got, err)
		}
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader([]byte(chatResponse))), Request: r}, nil
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		resp, err := mw(req, next)
		if err != nil {
			t.Error(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		pw.CloseWithError(io.ErrClosedPipe) // unblock the read ahead, then fail
		<-done
		t.Fatal("the middleware read the body before sending the request")
	}
	closeBus(t, b)
	evs := mem.Events()
	if len(evs) == 0 || evs[0].Data[events.KeyGenAIRequestModel] != "gpt-4o-mini" {
		t.Fatalf("events = %v", types(evs))
	}
}
