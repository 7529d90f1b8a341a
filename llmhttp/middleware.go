package llmhttp

import (
	"bytes"
	"context"
	"io"
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
	data, info, ok := in.startData(a, out, raw, skip)
	if !ok {
		return next(out)
	}
	if in.includeUsage && info.askUsage && raw != nil {
		out = withIncludeUsage(out, raw)
	}
	c := &call{in: in, api: a, usage: noUsage(), reqModel: info.model}
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
	c.headers = responseHeaders(resp.Header)
	if cost, ok := headerCost(resp.Header); ok {
		c.usage.cost, c.usage.costKnown = cost, true
	}
	ct := mediaType(resp.Header.Get("Content-Type"))
	switch {
	case resp.Body == nil || resp.Body == http.NoBody:
		if resp.StatusCode >= 400 {
			c.fail(&APIError{StatusCode: resp.StatusCode})
		} else {
			c.end(nil)
		}
	case resp.StatusCode >= 400:
		readErrorAhead(c, resp)
	case ct == "text/event-stream" && !a.ollama():
		c.streamed = true
		resp.Body = &watchedBody{rc: resp.Body, c: c, w: newStreamReader(c, false)}
	case ct == "application/x-ndjson" && a.ollama():
		c.streamed = true
		resp.Body = &watchedBody{rc: resp.Body, c: c, w: newStreamReader(c, true)}
	default:
		resp.Body = &watchedBody{rc: resp.Body, c: c, w: newBufferedReader(c, resp.ContentLength)}
	}
	return resp, nil
}

// readErrorAhead reads an error response's body (up to maxErrorBytes) before
// the caller sees it, and ends the call with the provider's error: SDKs that
// retry a 429 or 529 close that body unread, and the attempt's error event
// would otherwise say nothing but the status. The caller then reads the
// same bytes, followed by the rest of a longer body, or by the read error
// that cut it.
func readErrorAhead(c *call, resp *http.Response) {
	body := resp.Body
	buf, err := readAtMost(body, resp.ContentLength, maxErrorBytes)
	var rest io.Reader
	switch {
	case err == io.EOF:
		rest = eofReader{}
	case err == nil: // longer than the limit: the rest is sent unread
		rest = body
	default:
		rest = failingReader{err}
	}
	c.fail(parseAPIError(c.status, buf))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(buf), rest), body}
}

// eofReader is an empty reader.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// enabled reports whether a call made with ctx would be recorded anywhere.
func (in *instrumenter) enabled(ctx context.Context) bool {
	return in.bus != nil || bus.FromContext(ctx) != nil || bus.Default() != nil
}

// mediaType is the media type of a Content-Type, in lower case; "" when it
// cannot be parsed.
func mediaType(contentType string) string {
	t, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return t
}
