package llmhttp

import (
	"context"
	"mime"
	"net/http"
	"time"

	"github.com/streamll/streamll-go/bus"
)

// Middleware returns a client middleware that instruments LLM calls. Its
// type is the one openai-go and anthropic-sdk-go take, so it plugs in with
// no SDK import here:
//
//	client := openai.NewClient(option.WithMiddleware(llmhttp.Middleware(llmhttp.Config{})))
//
// It runs once per attempt: SDK retries are separate executions, numbered by
// http.request.resend_count. It is safe for concurrent use.
func Middleware(cfg Config) func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	return newInstrumenter(cfg).do
}

// Transport returns an http.RoundTripper that instruments the LLM calls it
// sends through cfg.Base, for clients that take an *http.Client
// (sashabaranov/go-openai, langchaingo, plain net/http):
//
//	httpClient := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{})}
//
// It is safe for concurrent use.
func Transport(cfg Config) http.RoundTripper {
	base := cfg.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{in: newInstrumenter(cfg), base: base}
}

type transport struct {
	in   *instrumenter
	base http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.in.do(req, t.base.RoundTrip)
}

// CloseIdleConnections closes the idle connections of the base transport, if
// it has any, so that http.Client.CloseIdleConnections reaches it.
func (t *transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// do instruments one request sent by next. Requests that are not LLM calls,
// or that no bus would record, go to next untouched.
func (in *instrumenter) do(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	a, ok := matchPath(req)
	if !ok || !in.enabled(req.Context()) {
		return next(req)
	}
	out, raw, skip, ok := readRequest(req)
	if !ok {
		return next(out)
	}
	data, ok := in.startData(a, out, raw, skip)
	if !ok {
		return next(out)
	}
	c := &call{in: in, api: a, usage: usage{-1, -1, -1, -1}}
	c.started = time.Now()
	op := bus.Op{Operation: Operation, Module: in.module, Method: a.method(), Data: data}
	if in.bus != nil {
		_, c.ex = in.bus.Start(req.Context(), op)
	} else {
		_, c.ex = bus.Start(req.Context(), op)
	}

	resp, err := next(out)
	if err != nil || resp == nil {
		c.mu.Lock()
		c.end(err)
		c.mu.Unlock()
		return resp, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.status = resp.StatusCode
	switch {
	case resp.Body == nil:
		c.end(nil)
	case resp.StatusCode < 400 && isEventStream(resp.Header.Get("Content-Type")):
		c.streamed = true
		resp.Body = &watchedBody{rc: resp.Body, c: c, w: newStreamReader(c)}
	default:
		resp.Body = &watchedBody{rc: resp.Body, c: c, w: newBufferedReader(c, resp.ContentLength)}
	}
	return resp, nil
}

// enabled reports whether a call made with ctx would be recorded anywhere.
func (in *instrumenter) enabled(ctx context.Context) bool {
	return in.bus != nil || bus.FromContext(ctx) != nil || bus.Default() != nil
}

func isEventStream(contentType string) bool {
	t, _, err := mime.ParseMediaType(contentType)
	return err == nil && t == "text/event-stream"
}
