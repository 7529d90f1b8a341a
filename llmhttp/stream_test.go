package llmhttp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/llmhttp"
)

// gated streams first, then waits for release (or the client to go away)
// before streaming rest. With cut set it aborts the connection instead of
// waiting, so the client sees the stream cut mid-way.
type gated struct {
	first, rest string
	release     chan struct{}
	cut         bool
}

func newGated(body string) *gated {
	i := strings.Index(body, "Hello")
	j := i + strings.Index(body[i:], "\n\n") + 2
	return &gated{first: body[:j], rest: body[j:], release: make(chan struct{})}
}

func (g *gated) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "text/event-stream")
	_, _ = io.WriteString(w, g.first)
	w.(http.Flusher).Flush()
	if g.cut {
		panic(http.ErrAbortHandler) // close the connection mid-stream
	}
	select {
	case <-g.release:
	case <-r.Context().Done():
		return
	}
	for _, ev := range splitEvents(g.rest) {
		_, _ = io.WriteString(w, ev)
		w.(http.Flusher).Flush()
	}
}

var streams = []struct {
	name, path, request, body string
}{
	{"chat", "/v1/chat/completions", chatRequest, chatStream},
	{"responses", "/v1/responses", responsesRequest, responsesStream},
	{"anthropic", "/v1/messages", anthropicRequest, anthropicStream},
}

// TestTokensGoOutAsTheCallerReads proves that a token event is emitted when
// the caller's read brings its delta in, not at the end: the server sends the
// first delta and waits; the test reads it, awaits its token event, and only
// then lets the server send the rest.
func TestTokensGoOutAsTheCallerReads(t *testing.T) {
	for _, s := range streams {
		t.Run(s.name, func(t *testing.T) {
			g := newGated(s.body)
			var once sync.Once
			release := func() { once.Do(func() { close(g.release) }) }
			defer release()
			srv := newServer(t, g)
			b, mem := newBus(t)
			client := newClient(t, llmhttp.Config{Bus: b, CaptureContent: true})

			resp := post(t, context.Background(), client, srv.URL+s.path, s.request)
			defer resp.Body.Close()
			first := make([]byte, len(g.first))
			if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != g.first {
				t.Fatalf("read %q, %v; want %q", first, err, g.first)
			}
			evs := waitFor(t, mem, 2)
			if types(evs) != "start token" || evs[1].Data[events.KeyToken] != "Hello" {
				t.Fatalf("before the server sent the rest: events %q (%v); want start, token Hello", types(evs), evs[len(evs)-1].Data)
			}

			release()
			rest, err := io.ReadAll(resp.Body)
			if err != nil || string(rest) != g.rest {
				t.Fatalf("read the rest %q, %v; want %q", rest, err, g.rest)
			}
			evs = waitFor(t, mem, 5)
			if types(evs) != "start token token token end" {
				t.Fatalf("events %q, want start, 3 tokens, end", types(evs))
			}
		})
	}
}

func TestIncompleteStreams(t *testing.T) {
	tests := []struct {
		name    string
		cut     bool                                // the server aborts after the first delta
		finish  func(t *testing.T, r io.ReadCloser) // what the caller does after the first delta
		message string
	}{
		{
			name: "connection cut", cut: true,
			finish: func(t *testing.T, r io.ReadCloser) {
				if rest, err := io.ReadAll(r); !errors.Is(err, io.ErrUnexpectedEOF) || len(rest) != 0 {
					t.Errorf("after the cut: read %q, %v; want nothing and unexpected EOF", rest, err)
				}
				_ = r.Close()
			},
			message: "llmhttp: response cut: unexpected EOF",
		},
		{
			name: "closed early",
			finish: func(t *testing.T, r io.ReadCloser) {
				if err := r.Close(); err != nil {
					t.Error(err)
				}
				_ = r.Close() // a second Close ends nothing more
			},
			message: "llmhttp: response body closed before the response ended",
		},
		{
			name: "closed while a read waits",
			finish: func(t *testing.T, r io.ReadCloser) {
				read := make(chan error, 1)
				go func() {
					_, err := r.Read(make([]byte, 512))
					read <- err
				}()
				// Close may land before or during the Read; either way the
				// Read fails and one error event says the body was closed.
				if err := r.Close(); err != nil {
					t.Error(err)
				}
				select {
				case err := <-read:
					if err == nil {
						t.Error("Read after Close succeeded")
					}
				case <-time.After(10 * time.Second):
					t.Error("Read still blocked 10s after Close")
				}
			},
			message: "llmhttp: response body closed before the response ended",
		},
	}
	for _, s := range streams {
		for _, tt := range tests {
			t.Run(s.name+"/"+tt.name, func(t *testing.T) {
				g := newGated(s.body)
				g.cut = tt.cut
				srv := newServer(t, g)
				b, mem := newBus(t)
				client := newClient(t, llmhttp.Config{Bus: b})

				resp := post(t, context.Background(), client, srv.URL+s.path, s.request)
				first := make([]byte, len(g.first))
				if _, err := io.ReadFull(resp.Body, first); err != nil || string(first) != g.first {
					t.Fatalf("read %q, %v; want %q", first, err, g.first)
				}
				tt.finish(t, resp.Body)
				closeBus(t, b)

				checkIncomplete(t, mem.Events(), tt.message)
			})
		}
	}
}

// interruptible is a streamed response body that serves first and then
// blocks a Read until Close. Close makes the blocked Read fail as a closed
// connection does, and returns only once that Read is back with its caller:
// the interleaving in which a Read that Close interrupted used to end the
// call first, as a cut response.
type interruptible struct {
	first    *strings.Reader
	closed   chan struct{}
	readBack chan struct{} // closed by the test once its Read has returned
}

func (b *interruptible) Read(p []byte) (int, error) {
	if b.first.Len() > 0 {
		return b.first.Read(p)
	}
	<-b.closed
	return 0, net.ErrClosed
}

func (b *interruptible) Close() error {
	close(b.closed)
	<-b.readBack
	return nil
}

// serve answers every request with body, as a streamed 200.
type serve struct{ body io.ReadCloser }

func (s serve) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/event-stream"}},
		Body:   s.body, ContentLength: -1, Request: r,
	}, nil
}

// TestCloseThatInterruptsAReadIsAClose pins the order TestIncompleteStreams
// only hits by chance: the caller's Close, not the error it causes in a
// Read waiting in another goroutine, ends the call.
func TestCloseThatInterruptsAReadIsAClose(t *testing.T) {
	first := newGated(chatStream).first
	body := &interruptible{first: strings.NewReader(first), closed: make(chan struct{}), readBack: make(chan struct{})}
	b, mem := newBus(t)
	client := &http.Client{Transport: llmhttp.Transport(llmhttp.Config{Bus: b, Base: serve{body}})}

	resp := post(t, context.Background(), client, "http://127.0.0.1:1/v1/chat/completions", chatRequest)
	got := make([]byte, len(first))
	if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != first {
		t.Fatalf("read %q, %v; want %q", got, err, first)
	}
	read := make(chan error, 1)
	go func() {
		_, err := resp.Body.Read(make([]byte, 512))
		read <- err
		close(body.readBack)
	}()
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-read; !errors.Is(err, net.ErrClosed) {
		t.Errorf("the interrupted Read returned %v, want the body's own error", err)
	}
	closeBus(t, b)

	checkIncomplete(t, mem.Events(), "llmhttp: response body closed before the response ended")
}

// checkIncomplete checks that a stream that stopped after its first delta
// sent a start, a token and an error event saying why, marked incomplete.
func checkIncomplete(t *testing.T, evs []events.Event, message string) {
	t.Helper()
	if types(evs) != "start token error" {
		t.Fatalf("events %q, want start token error", types(evs))
	}
	checkData(t, "error", evs[2].Data, map[string]any{
		events.KeyErrorType:         "*llmhttp.IncompleteError",
		events.KeyErrorMessage:      message,
		llmhttp.KeyStreamIncomplete: true,
	})
}

// TestParseFailuresNeverFailTheCaller feeds streams the parser cannot follow:
// the caller still reads every byte, and the end event says what went wrong.
func TestParseFailuresNeverFailTheCaller(t *testing.T) {
	huge := `{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"` + strings.Repeat("x", 3<<19) + `"}}]}`
	tests := []struct {
		name       string
		body       string
		wantTokens int
		wantErr    string // the start of parse_error
	}{
		{"event over 1 MiB", sse(
			`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Hello"}}]}`,
			"data: "+huge,
			`data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}]}`,
			"data: [DONE]",
		), 1, "stream: an event is over 1 MiB; the rest of the stream is not inspected"},
		{"not JSON at all", sse("data: hello", "data: bye", "data: [DONE]"), 0, "chunk: invalid character 'h' at offset 0: want a value (and 1 more)"},
		{"wrong types", sse(
			`data: {"id":7,"choices":[{"index":0,"delta":{"content":["Hello"]}},{"index":1,"delta":{"content":"Hi"}}]}`,
			"data: [DONE]",
		), 1, "chunk: id: want a string, got a number"},
		{"not an event stream", "this is not\n\nan event stream", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, stream(tt.body))
			b, mem := newBus(t)
			client := newClient(t, llmhttp.Config{Bus: b})
			resp := post(t, context.Background(), client, srv.URL+"/v1/chat/completions", chatRequest)
			got, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			if err != nil || string(got) != tt.body {
				t.Fatalf("the caller read %d bytes, %v; want the server's %d bytes", len(got), err, len(tt.body))
			}
			closeBus(t, b)
			evs := mem.Events()
			if len(evs) != tt.wantTokens+2 {
				t.Fatalf("events %q, want start, %d tokens, end or error", types(evs), tt.wantTokens)
			}
			if msg, _ := evs[len(evs)-1].Data[llmhttp.KeyParseError].(string); !strings.HasPrefix(msg, tt.wantErr) {
				t.Errorf("parse_error = %q, want it to start with %q", msg, tt.wantErr)
			}
		})
	}
}
