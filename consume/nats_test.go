package consume_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/consume"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// natsStream makes a stream of this test's own, storing prefix.>, and
// deletes it afterwards. It returns the URL, a connection and the prefix.
func natsStream(t *testing.T) (string, *nats.Conn, jetstream.JetStream, string) {
	t.Helper()
	u := natsURL(t)
	nc, err := nats.Connect(u)
	if err != nil {
		t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	name := servicetest.Name(t, "CONSUME")
	prefix := strings.ToLower(name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: name, Subjects: []string{prefix + ".>"}, Storage: jetstream.MemoryStorage}); err != nil {
		nc.Close()
		t.Fatalf("creating stream: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := js.DeleteStream(ctx, name); err != nil {
			t.Errorf("deleting stream %s: %v", name, err)
		}
		nc.Close()
	})
	return u, nc, js, prefix
}

// publishNATS publishes events as the NATS sink does: the JSON body, the
// headers, the subject prefix.{module_name}.{event_type}.
func publishNATS(t *testing.T, js jetstream.JetStream, prefix string, evs ...events.Event) {
	t.Helper()
	for _, ev := range evs {
		msg := nats.NewMsg(prefix + "." + ev.ModuleName + "." + string(ev.EventType))
		msg.Data = events.Marshal(&ev)
		msg.Header.Set("event_type", string(ev.EventType))
		msg.Header.Set("operation", ev.Operation)
		msg.Header.Set("module_name", ev.ModuleName)
		msg.Header.Set(nats.MsgIdHdr, ev.EventID)
		if _, err := js.PublishMsg(t.Context(), msg); err != nil {
			t.Fatal(err)
		}
	}
}

func tokens(texts ...string) []events.Event {
	var evs []events.Event
	for i, s := range texts {
		evs = append(evs, events.Event{EventID: events.NewID(), ExecutionID: "exec00000001", Timestamp: time.Now(),
			ModuleName: "ChatBot", EventType: events.TypeToken, Operation: "llm_call",
			Data: map[string]any{events.KeyToken: s, events.KeyTokenIndex: i}})
	}
	return evs
}

func tokenText(ms []consume.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Event.Data[events.KeyToken].(string))
	}
	return b.String()
}

func newNATS(t *testing.T, cfg consume.NATSConfig) *consume.Consumer {
	t.Helper()
	if cfg.Wait == 0 {
		cfg.Wait = 200 * time.Millisecond
	}
	c, err := consume.NewNATS(t.Context(), cfg)
	if err != nil {
		t.Fatalf("NewNATS: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestNATSEphemeral: an ephemeral consumer found by subject reads what is
// published after it starts, with the subject and sequence of each message;
// from the beginning and from a sequence number it reads what was stored.
func TestNATSEphemeral(t *testing.T) {
	u, _, js, prefix := natsStream(t)
	publishNATS(t, js, prefix, tokens("old")...)
	c := newNATS(t, consume.NATSConfig{URL: u, Subject: prefix + ".>"})
	publishNATS(t, js, prefix, tokens("a", "b", "c")...)
	ms := collect(t, c, 3)
	if got := tokenText(ms); got != "abc" {
		t.Errorf("read %q, want abc", got)
	}
	if ms[0].Source != prefix+".ChatBot.token" || ms[0].ID != "2" {
		t.Errorf("first message: Source %q ID %q, want the subject and sequence 2", ms[0].Source, ms[0].ID)
	}
	if p := c.Position(); p != "5" {
		t.Errorf("Position = %q after handling sequence 4, want 5", p)
	}
	c.Close()

	if got := tokenText(collect(t, newNATS(t, consume.NATSConfig{URL: u, Subject: prefix + ".>",
		Options: consume.Options{From: consume.FromBeginning}}), 4)); got != "oldabc" {
		t.Errorf("from the beginning read %q", got)
	}
	if got := tokenText(collect(t, newNATS(t, consume.NATSConfig{URL: u, Subject: prefix + ".>",
		Options: consume.Options{From: "3"}}), 2)); got != "bc" {
		t.Errorf("from sequence 3 read %q", got)
	}
}

// TestNATSDurable: a durable consumer acknowledges what it handled; the next
// one of that name goes on after it, whatever its From; an invalid message is
// terminated and skipped.
func TestNATSDurable(t *testing.T) {
	u, nc, js, prefix := natsStream(t)
	cfg := consume.NATSConfig{URL: u, Subject: prefix + ".>", Durable: "dash", Options: consume.Options{From: consume.FromBeginning}}
	publishNATS(t, js, prefix, tokens("a", "b")...)
	if _, err := js.Publish(t.Context(), prefix+".x.bad", []byte("{")); err != nil {
		t.Fatal(err)
	}
	publishNATS(t, js, prefix, tokens("c", "d")...)
	first := newNATS(t, cfg)
	if got := tokenText(collect(t, first, 3)); got != "abc" {
		t.Errorf("first read %q", got)
	}
	if s := first.Stats(); s.Invalid != 1 {
		t.Errorf("Stats = %+v, want 1 invalid", s)
	}
	first.Close()
	second := newNATS(t, cfg)
	if ms := collect(t, second, 1); tokenText(ms) != "d" || !ms[0].Redelivered {
		t.Errorf("second read %q (redelivered %v), want d, which first fetched and gave back", tokenText(ms), ms[0].Redelivered)
	}
	second.Close()

	// A connection the caller owns is left open.
	third := newNATS(t, consume.NATSConfig{Conn: nc, Subject: prefix + ".>"})
	third.Close()
	if !nc.IsConnected() {
		t.Error("Close closed the caller's connection")
	}
}

func TestNATSConfigErrors(t *testing.T) {
	u := natsURL(t)
	tests := []struct {
		name string
		cfg  consume.NATSConfig
		want error
	}{
		{"bad from", consume.NATSConfig{URL: u, Options: consume.Options{From: "soon"}}, consume.ErrInvalidConfig},
		{"no stream stores the subject", consume.NATSConfig{URL: u, Subject: "nobody.stores.this"}, consume.ErrConnect},
		{"unreachable", consume.NATSConfig{URL: "nats://app:s3cret@127.0.0.1:1"}, consume.ErrConnect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := consume.NewNATS(t.Context(), tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("NewNATS = %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}
