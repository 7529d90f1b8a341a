package llmhttp_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/llmhttp"
)

// benchChunk is a typical Chat Completions chunk carrying one token.
const benchChunk = `data: {"id":"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG","object":"chat.completion.chunk","created":1741570283,` +
	`"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" token"},` +
	`"logprobs":null,"finish_reason":null}],"usage":null}` + "\n\n"

// chunkBody streams n chunks, one per Read as a server's flushes would
// arrive, then [DONE].
type chunkBody struct{ n int }

func (c *chunkBody) Read(p []byte) (int, error) {
	switch {
	case c.n > 0:
		c.n--
		return copy(p, benchChunk), nil
	case c.n == 0:
		c.n--
		return copy(p, "data: [DONE]\n\n"), nil
	}
	return 0, io.EOF
}

func (c *chunkBody) Close() error { return nil }

// fakeServer answers every request in memory: a stream of chunks chunks,
// or chatResponse when chunks is 0.
type fakeServer struct{ chunks int }

func (f fakeServer) RoundTrip(req *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, req.Body)
	_ = req.Body.Close()
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: -1, Request: req}
	if f.chunks > 0 {
		resp.Header.Set("Content-Type", "text/event-stream")
		resp.Body = &chunkBody{n: f.chunks}
	} else {
		resp.Header.Set("Content-Type", "application/json")
		resp.Body = io.NopCloser(strings.NewReader(chatResponse))
	}
	return resp, nil
}

// benchBus returns a bus delivering to a memory sink that only counts.
func benchBus(b *testing.B) (*bus.Bus, *memory.Sink) {
	return newBusWith(b, memory.Config{Discard: true})
}

var transports = []struct {
	name string
	wrap func(base http.RoundTripper, b *bus.Bus) http.RoundTripper
}{
	{"bare", func(base http.RoundTripper, _ *bus.Bus) http.RoundTripper { return base }},
	{"llmhttp", func(base http.RoundTripper, b *bus.Bus) http.RoundTripper {
		return llmhttp.Transport(llmhttp.Config{Bus: b, Base: base})
	}},
	{"llmhttp+content", func(base http.RoundTripper, b *bus.Bus) http.RoundTripper {
		return llmhttp.Transport(llmhttp.Config{Bus: b, Base: base, CaptureContent: true})
	}},
}

// BenchmarkStreamChunk measures the cost of one streamed chunk as the caller
// reads it: one op is one chunk of a single stream of b.N chunks, read one
// chunk per Read. The llmhttp cases parse the chunk and emit its token event;
// every 1024 chunks the timer stops while the bus delivers what they emitted
// (a reader that never waits would otherwise fill the bus's intake whenever a
// GC cycle holds the router back, and measure the intake_full policy rather
// than a chunk), and it stops when the caller has read the stream, before the
// bus delivers the rest (allocations the bus made meanwhile are counted).
func BenchmarkStreamChunk(b *testing.B) {
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			bb, mem := benchBus(b)
			rt := tr.wrap(fakeServer{chunks: b.N}, bb)
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/chat/completions", strings.NewReader(chatRequest))
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 4096)
			b.ReportAllocs()
			b.ResetTimer()
			resp, err := rt.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			for i := 1; ; i++ {
				if _, err := resp.Body.Read(buf); err != nil {
					break
				}
				if i%1024 == 0 && tr.name != "bare" {
					b.StopTimer()
					flushBus(b, bb)
					b.StartTimer()
				}
			}
			_ = resp.Body.Close()
			b.StopTimer()
			if tr.name != "bare" {
				waitDelivered(b, mem, b.N+2)
			}
		})
	}
}

// BenchmarkCall measures a whole call that is not streamed: reading and
// replaying the request body, the start event, and parsing the response for
// its usage.
func BenchmarkCall(b *testing.B) {
	for _, tr := range transports {
		b.Run(tr.name, func(b *testing.B) {
			bb, _ := benchBus(b)
			rt := tr.wrap(fakeServer{}, bb)
			b.ReportAllocs()
			for b.Loop() {
				req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/v1/chat/completions", strings.NewReader(chatRequest))
				if err != nil {
					b.Fatal(err)
				}
				resp, err := rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	}
}

func flushBus(b *testing.B, bb *bus.Bus) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := bb.Flush(ctx); err != nil {
		b.Fatal(err)
	}
}

func waitDelivered(b *testing.B, mem *memory.Sink, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := mem.Wait(ctx, n); err != nil {
		b.Fatalf("waiting for %d events: %v", n, err)
	}
}
