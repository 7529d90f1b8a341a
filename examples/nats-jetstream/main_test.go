package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testStream returns the test server's URL and a stream name unique to t,
// deleted (with its consumers) after the test.
func testStream(t *testing.T) (url, stream string) {
	t.Helper()
	url = servicetest.NATSURL(t)
	stream = servicetest.Name(t, "ai_events")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := resetStream(ctx, url, stream, io.Discard); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return url, stream
}

// TestLive: the ledger runs while the producer answers questions; it must
// read every event the stream acknowledged exactly once.
func TestLive(t *testing.T) {
	url, stream := testStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	consCtx, stopConsumer := context.WithCancel(ctx)
	defer stopConsumer()
	ready := make(chan struct{})
	out := &syncBuffer{}
	type result struct {
		l   *ledger
		err error
	}
	done := make(chan result, 1)
	go func() {
		l, err := runConsumer(consCtx, consumerConfig{NATSURL: url, Stream: stream, Durable: "ledger"}, out, func() { close(ready) })
		done <- result{l, err}
	}()
	select {
	case <-ready:
	case r := <-done:
		t.Fatalf("consumer stopped before reading: %v", r.err)
	}

	const questions = 8
	var prodOut bytes.Buffer
	rep, err := runProducer(ctx, producerConfig{NATSURL: url, Stream: stream, Questions: questions}, &prodOut)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &prodOut)
	}
	if rep.Answered != 6 || rep.Failed != 2 || rep.Delivered == 0 {
		t.Errorf("producer report %+v; want 6 answered, 2 failed", rep)
	}
	for out.lines() < int(rep.Delivered) {
		select {
		case r := <-done:
			t.Fatalf("consumer stopped early: %v\n%s", r.err, out)
		case <-ctx.Done():
			t.Fatalf("consumer read %d lines of %d events", out.lines(), rep.Delivered)
		case <-out.changed():
		}
	}
	stopConsumer()
	r := <-done
	if r.err != nil {
		t.Fatalf("consumer: %v", r.err)
	}
	checkLedger(t, r.l, rep, out.String())
}

// TestResume: events published while no consumer runs wait in the stream;
// the durable consumer reads them all, and, run again after more were
// published, only the new ones: its acks are kept by the server.
func TestResume(t *testing.T) {
	url, stream := testStream(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first, err := runProducer(ctx, producerConfig{NATSURL: url, Stream: stream, Questions: 4}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg := consumerConfig{NATSURL: url, Stream: stream, Durable: "ledger", Idle: time.Second}
	var out bytes.Buffer
	l, err := runConsumer(ctx, cfg, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkLedger(t, l, first, out.String())

	second, err := runProducer(ctx, producerConfig{NATSURL: url, Stream: stream, Questions: 3}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	cfg.MaxEvents = int(second.Delivered)
	if l, err = runConsumer(ctx, cfg, &out, nil); err != nil {
		t.Fatal(err)
	}
	checkLedger(t, l, second, out.String())
}

// checkLedger checks that the consumer read every delivered event once, with
// the tokens and errors the producer made, each on its subject.
func checkLedger(t *testing.T, l *ledger, rep producerReport, out string) {
	t.Helper()
	if uint64(l.Events) != rep.Delivered || l.Duplicates != 0 {
		t.Errorf("consumer read %d events (%d duplicates), the producer delivered %d", l.Events, l.Duplicates, rep.Delivered)
	}
	if l.Tokens != rep.Tokens || l.Errors != 2*rep.Failed {
		t.Errorf("consumer counted %d tokens and %d errors; the producer streamed %d tokens and failed %d questions", l.Tokens, l.Errors, rep.Tokens, rep.Failed)
	}
	for _, module := range []string{"ResearchAgent", "Retriever", "Writer"} {
		if l.ByModule[module] == 0 {
			t.Errorf("no event of module %s: %v", module, l.ByModule)
		}
	}
	if n := strings.Count(out, "ai.Writer.token "); n != rep.Tokens {
		t.Errorf("%d lines on subject ai.Writer.token, want %d", n, rep.Tokens)
	}
}

func TestCommandErrors(t *testing.T) {
	env := func(string) string { return "" }
	for _, args := range [][]string{nil, {"publish"}, {"producer", "-questions", "many"}} {
		if err := command(context.Background(), args, env, io.Discard, io.Discard); err == nil {
			t.Errorf("command(%q) succeeded", args)
		}
	}
}

// syncBuffer is an output the consumer writes from its goroutine while the
// test reads it, and that says when it grew.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.buf.Write(p)
	if b.notify != nil {
		close(b.notify)
		b.notify = nil
	}
	return n, err
}

// changed returns a channel closed at the next Write.
func (b *syncBuffer) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notify == nil {
		b.notify = make(chan struct{})
	}
	return b.notify
}

// lines counts the event lines written so far.
func (b *syncBuffer) lines() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for line := range strings.Lines(b.buf.String()) {
		if strings.HasPrefix(line, "ai.") {
			n++
		}
	}
	return n
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
