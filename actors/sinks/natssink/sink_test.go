package natssink_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestWireFormat checks each stored message byte for byte against the wire
// encoding, and its headers and subject.
func TestWireFormat(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	cfg := ts.config(url)
	cfg.Subject = ts.prefix + ".{module_name}.{event_type}"
	s := newSink(t, cfg)

	batch := sinktest.MakeEvents(20, "wire")
	batch[3].ModuleName = "Chat Bot.v2*>"
	batch[4].ModuleName = ""
	if err := write(t, s, batch); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	msgs := ts.messages(ctx, t, len(batch))
	if len(msgs) != len(batch) {
		t.Fatalf("stream holds %d messages, want %d", len(msgs), len(batch))
	}
	for i, m := range msgs {
		ev := batch[i]
		if want := events.AppendJSON(nil, ev); !bytes.Equal(m.Data(), want) {
			t.Errorf("message %d body =\n%s\nwant\n%s", i, m.Data(), want)
		}
		module := ev.ModuleName
		switch i {
		case 3:
			module = "Chat_Bot_v2__"
		case 4:
			module = natssink.EmptyValue
		}
		if want := ts.prefix + "." + module + "." + string(ev.EventType); m.Subject() != want {
			t.Errorf("message %d subject = %q, want %q", i, m.Subject(), want)
		}
		h := m.Headers()
		for key, want := range map[string]string{
			jetstream.MsgIDHeader: ev.EventID,
			"Content-Type":        "application/json",
			"event_type":          string(ev.EventType),
			"operation":           ev.Operation,
			"module_name":         ev.ModuleName,
			"method_name":         ev.MethodName,
			"execution_id":        ev.ExecutionID,
			"schema_version":      events.SchemaVersion,
		} {
			if got := h.Get(key); got != want {
				t.Errorf("message %d header %s = %q, want %q", i, key, got, want)
			}
		}
	}
}

// TestDuplicatesDropped: a batch written twice (as a retry after a lost ack
// would) is stored once, by its Nats-Msg-Id.
func TestDuplicatesDropped(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	s := newSink(t, ts.config(url))
	batch := sinktest.MakeEvents(50, "dup")
	for range 2 {
		if err := write(t, s, batch); err != nil {
			t.Fatal(err)
		}
	}
	more := sinktest.MakeEvents(1, "after")
	if err := write(t, s, more); err != nil {
		t.Fatal(err)
	}
	got := ids(ts.readEvents(t, len(batch)+1))
	if want := append(ids(batch), ids(more)...); !slices.Equal(got, want) {
		t.Errorf("stream holds %d events %v, want %d %v", len(got), got, len(want), want)
	}
}

// TestSmallWindow: with a window smaller than the batch, every event still
// arrives, in order.
func TestSmallWindow(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	cfg := ts.config(url)
	cfg.Window = 3
	s := newSink(t, cfg)
	if got := s.HostOptions().BatchSize; got != 3 {
		t.Errorf("BatchSize defaults to %d, want the window, 3", got)
	}
	batch := sinktest.MakeEvents(100, "window")
	if err := write(t, s, batch); err != nil {
		t.Fatal(err)
	}
	if got := ids(ts.readEvents(t, len(batch))); !slices.Equal(got, ids(batch)) {
		t.Errorf("stream holds %v, want %v", got, ids(batch))
	}
}

// TestMissingStream: without CreateStream, a missing stream is a retryable
// ErrStreamNotFound that names it; nothing is published.
func TestMissingStream(t *testing.T) {
	_, url := testJS(t)
	name := servicetest.Name(t, "missing")
	s := newSink(t, natssink.Config{URL: url, Stream: name, Subject: "missing.{event_type}"})
	err := write(t, s, sinktest.MakeEvents(3, "missing"))
	switch {
	case !errors.Is(err, natssink.ErrStreamNotFound):
		t.Fatalf("Write = %v, want ErrStreamNotFound", err)
	case sinks.IsPermanent(err):
		t.Errorf("Write = %v, marked permanent; a stream created later should take the events", err)
	case !strings.Contains(err.Error(), name):
		t.Errorf("error %q does not name the stream", err)
	}
}

// TestCreateStream: with CreateStream, the first Write creates the stream
// with subjects derived from the template; a second sink finds it and uses
// it as it is.
func TestCreateStream(t *testing.T) {
	js, url := testJS(t)
	name := servicetest.Name(t, "created")
	prefix := strings.ToLower(name)
	deleteAtEnd(t, js, name)
	cfg := natssink.Config{
		URL:          url,
		Subject:      prefix + ".{module_name}.{event_type}",
		CreateStream: &jetstream.StreamConfig{Name: name, Storage: jetstream.MemoryStorage, Duplicates: time.Minute},
	}
	s := newSink(t, cfg)
	if s.Name() != "nats:"+name {
		t.Errorf("Name() = %q, want the stream's name from CreateStream", s.Name())
	}
	first := sinktest.MakeEvents(5, "create")
	if err := write(t, s, first); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	st, err := js.Stream(ctx, name)
	if err != nil {
		t.Fatalf("the stream was not created: %v", err)
	}
	info := st.CachedInfo().Config
	if want := []string{prefix + ".*.*"}; !slices.Equal(info.Subjects, want) || info.Duplicates != time.Minute {
		t.Errorf("created stream has subjects %v, duplicates %v; want %v, 1m", info.Subjects, info.Duplicates, want)
	}

	cfg.CreateStream = &jetstream.StreamConfig{Name: name, Subjects: []string{"other.>"}}
	second := sinktest.MakeEvents(5, "existing")
	if err := write(t, newSink(t, cfg), second); err != nil {
		t.Fatal(err)
	}
	st, err = js.Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.CachedInfo().Config.Subjects; !slices.Equal(got, []string{prefix + ".*.*"}) {
		t.Errorf("the existing stream was changed to subjects %v", got)
	}
	ts := &testStream{js: js, name: name}
	if got := ids(ts.readEvents(t, 10)); !slices.Equal(got, append(ids(first), ids(second)...)) {
		t.Errorf("stream holds %v", got)
	}
}

// TestSubjectNotBound: an event whose subject the stream does not bind is
// dropped as permanent, without being published; the rest of its batch is
// stored.
func TestSubjectNotBound(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	cfg := ts.config(url)
	cfg.Subject = "{tag:route}.{event_type}"
	s := newSink(t, cfg)
	batch := sinktest.MakeEvents(4, "bound")
	for i, ev := range batch {
		ev.Tags = map[string]string{"route": ts.prefix}
		if i == 2 {
			ev.Tags = map[string]string{"route": "elsewhere"}
		}
	}
	err := write(t, s, batch)
	var be *sinks.BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || be.Failed[0].Index != 2 ||
		!sinks.IsPermanent(be.Failed[0].Err) || !errors.Is(be.Failed[0].Err, natssink.ErrSubjectNotBound) {
		t.Fatalf("Write = %v, want a BatchError with event 2 failed with a permanent ErrSubjectNotBound", err)
	}
	if !strings.Contains(err.Error(), "elsewhere."+string(batch[2].EventType)) {
		t.Errorf("error %q does not name the subject", err)
	}
	want := []string{batch[0].EventID, batch[1].EventID, batch[3].EventID}
	if got := ids(ts.readEvents(t, 3)); !slices.Equal(got, want) {
		t.Errorf("stream holds %v, want %v", got, want)
	}
}

// TestTooLarge: an event over the stream's max_msg_size, and one over the
// server's max_payload, are dropped as permanent ErrTooLarge; the rest of
// the batch is stored.
func TestTooLarge(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, func(c *jetstream.StreamConfig) { c.MaxMsgSize = 4096 })
	s := newSink(t, ts.config(url))
	batch := sinktest.MakeEvents(4, "large")
	batch[1].Data = map[string]any{"blob": strings.Repeat("x", 5000)}
	batch[2].Data = map[string]any{"blob": strings.Repeat("y", 2<<20)} // over the default 1 MiB max_payload
	err := write(t, s, batch)
	var be *sinks.BatchError
	if !errors.As(err, &be) || len(be.Failed) != 2 {
		t.Fatalf("Write = %v, want a BatchError with 2 events failed", err)
	}
	for k, f := range be.Failed {
		if f.Index != k+1 || !sinks.IsPermanent(f.Err) || !errors.Is(f.Err, natssink.ErrTooLarge) {
			t.Errorf("failure %d = index %d, %v; want index %d, a permanent ErrTooLarge", k, f.Index, f.Err, k+1)
		}
	}
	for _, want := range []string{"max_msg_size", "max_payload"} {
		if !strings.Contains(errors.Join(be.Unwrap()...).Error(), want) {
			t.Errorf("no failure mentions %s: %v", want, be.Unwrap())
		}
	}
	want := []string{batch[0].EventID, batch[3].EventID}
	if got := ids(ts.readEvents(t, 2)); !slices.Equal(got, want) {
		t.Errorf("stream holds %v, want %v", got, want)
	}
}

// TestFailover: with a dead server listed first, the sink connects to the
// next; with every server dead, the error names each (credentials hidden)
// and is retryable.
func TestFailover(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	cfg := ts.config("nats://127.0.0.1:1")
	cfg.URLs = []string{url}
	cfg.NoRandomize = true
	s := newSink(t, cfg)
	batch := sinktest.MakeEvents(10, "failover")
	if err := write(t, s, batch); err != nil {
		t.Fatal(err)
	}
	if got := ids(ts.readEvents(t, len(batch))); !slices.Equal(got, ids(batch)) {
		t.Errorf("stream holds %v", got)
	}

	const password, token = "pa55-w0rd-xyz", "t0ken-abc-123"
	dead := newSink(t, natssink.Config{
		URL:         "nats://audit:" + password + "@127.0.0.1:1,nats://" + token + "@127.0.0.1:2",
		DialTimeout: time.Second,
	})
	err := write(t, dead, batch)
	switch {
	case !errors.Is(err, natssink.ErrConnect):
		t.Fatalf("Write with every server dead = %v, want ErrConnect", err)
	case sinks.IsPermanent(err):
		t.Errorf("Write = %v, marked permanent", err)
	case strings.Contains(err.Error(), password) || strings.Contains(err.Error(), token):
		t.Errorf("error shows a secret: %v", err)
	case !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "127.0.0.1:2"):
		t.Errorf("error %q does not name both servers", err)
	}
}

// TestCallerConn: a connection the caller made is used, never closed, and
// kept by Rebuild.
func TestCallerConn(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	nc, err := nats.Connect(url, nats.ReconnectBufSize(-1))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cfg := natssink.Config{Conn: nc, Stream: ts.name, Subject: ts.prefix + ".{event_type}"}
	s := newSink(t, cfg)
	first := sinktest.MakeEvents(3, "conn")
	if err := write(t, s, first); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Rebuild(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close(context.Background()) })
	if err := write(t, s, first); !errors.Is(err, sinks.ErrClosed) {
		t.Errorf("Write on the rebuilt-from sink = %v, want ErrClosed", err)
	}
	if nc.IsClosed() {
		t.Fatal("the sink closed the caller's connection")
	}
	second := sinktest.MakeEvents(3, "rebuilt")
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	if err := fresh.Write(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got := ids(ts.readEvents(t, 6)); !slices.Equal(got, append(ids(first), ids(second)...)) {
		t.Errorf("stream holds %v", got)
	}
}

// TestRebuild: Rebuild gives a sink with a connection of its own that
// delivers, and closes the old one.
func TestRebuild(t *testing.T) {
	js, url := testJS(t)
	ts := newStream(t, js, nil)
	s := newSink(t, ts.config(url))
	first := sinktest.MakeEvents(3, "before")
	if err := write(t, s, first); err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Rebuild(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fresh.Close(context.Background()) })
	if fresh == sinks.Sink(s) {
		t.Fatal("Rebuild returned the same sink")
	}
	second := sinktest.MakeEvents(3, "after")
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	if err := fresh.Write(ctx, second); err != nil {
		t.Fatal(err)
	}
	if got := ids(ts.readEvents(t, 6)); !slices.Equal(got, append(ids(first), ids(second)...)) {
		t.Errorf("stream holds %v", got)
	}
}
