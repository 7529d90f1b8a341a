package natssink_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// waitTimeout bounds every wait of these tests.
const waitTimeout = 10 * time.Second

// testJS returns a JetStream client of the test server, closed when t ends,
// for making streams and reading them back, and the server's URL. It skips
// t (or fails it under STREAMLL_REQUIRE_SERVICES=1) when the server is
// unreachable.
func testJS(t *testing.T) (jetstream.JetStream, string) {
	t.Helper()
	url := servicetest.NATSURL(t)
	nc, err := nats.Connect(url, nats.Name("natssink-test"))
	if err != nil {
		t.Fatalf("NATS_URL: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js, url
}

// testStream is a stream made for one test, deleted when it ends.
type testStream struct {
	js     jetstream.JetStream
	name   string
	prefix string // every subject of the stream starts with prefix + "."
}

// newStream creates a stream unique to t that binds prefix.>, changed by
// edit if given.
func newStream(t *testing.T, js jetstream.JetStream, edit func(*jetstream.StreamConfig)) *testStream {
	t.Helper()
	name := servicetest.Name(t, "natssink")
	ts := &testStream{js: js, name: name, prefix: strings.ToLower(name)}
	cfg := jetstream.StreamConfig{Name: name, Subjects: []string{ts.prefix + ".>"}, Storage: jetstream.MemoryStorage}
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	if _, err := js.CreateStream(ctx, cfg); err != nil {
		t.Fatalf("creating stream %s: %v", name, err)
	}
	deleteAtEnd(t, js, name)
	return ts
}

func deleteAtEnd(t *testing.T, js jetstream.JetStream, name string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
		defer cancel()
		if err := js.DeleteStream(ctx, name); err != nil && !strings.Contains(err.Error(), "not found") {
			t.Logf("deleting stream %s: %v", name, err)
		}
	})
}

// config returns a sink configuration for ts on url, subject prefix.{event_type}.
func (ts *testStream) config(url string) natssink.Config {
	return natssink.Config{URL: url, Stream: ts.name, Subject: ts.prefix + ".{event_type}"}
}

// messages returns the stream's messages in order once it holds at least
// want of them, or what it holds when ctx ends.
func (ts *testStream) messages(ctx context.Context, t *testing.T, want int) []jetstream.Msg {
	t.Helper()
	return readStream(ctx, t, ts.js, ts.name, want)
}

// readStream reads the whole stream name through an ordered consumer, until
// it has at least want messages and every message the stream held when the
// reading began, or ctx ends.
func readStream(ctx context.Context, t *testing.T, js jetstream.JetStream, name string, want int) []jetstream.Msg {
	t.Helper()
	st, err := js.Stream(ctx, name)
	if err != nil {
		t.Errorf("stream %s: %v", name, err)
		return nil
	}
	want = max(want, int(st.CachedInfo().State.Msgs))
	if want == 0 {
		return nil
	}
	c, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Errorf("consumer of %s: %v", name, err)
		return nil
	}
	var got []jetstream.Msg
	for len(got) < want && ctx.Err() == nil {
		wait := time.Second
		if d, ok := ctx.Deadline(); ok {
			wait = min(wait, time.Until(d))
		}
		if wait < 10*time.Millisecond {
			break
		}
		batch, err := c.Fetch(want-len(got), jetstream.FetchMaxWait(wait))
		if err != nil {
			t.Errorf("fetching from %s: %v", name, err)
			return got
		}
		for m := range batch.Messages() {
			got = append(got, m)
		}
	}
	return got
}

// decode returns the events in msgs' bodies.
func decode(t *testing.T, msgs []jetstream.Msg) []events.Event {
	t.Helper()
	evs := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		ev, err := events.Unmarshal(m.Data())
		if err != nil {
			t.Fatalf("message on %s: %v", m.Subject(), err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// readEvents waits for want events in ts and decodes them.
func (ts *testStream) readEvents(t *testing.T, want int) []events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	return decode(t, ts.messages(ctx, t, want))
}

// newSink builds a sink and closes it when t ends.
func newSink(t *testing.T, cfg natssink.Config) *natssink.Sink {
	t.Helper()
	s, err := natssink.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// write writes batch with a bounded context.
func write(t *testing.T, s *natssink.Sink, batch []*events.Event) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
	defer cancel()
	return s.Write(ctx, batch)
}

// ids lists the event IDs of evs, for comparisons.
func ids[E events.Event | *events.Event](evs []E) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		switch ev := any(ev).(type) {
		case events.Event:
			out[i] = ev.EventID
		case *events.Event:
			out[i] = ev.EventID
		}
	}
	return out
}
