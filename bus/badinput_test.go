package bus_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// TestTypedNilSinkIsAConfigError: a driver constructor that failed returns
// a typed nil; passing it on must give a clean error, not a crash.
func TestTypedNilSinkIsAConfigError(t *testing.T) {
	term, err := terminal.New(terminal.Config{Color: 42}) // invalid: term is a typed nil
	if err == nil {
		t.Fatal("expected the invalid terminal config to fail")
	}
	_, err = bus.New(bus.Config{Sinks: []sinks.Sink{term}})
	if !errors.Is(err, bus.ErrInvalidConfig) || !strings.Contains(err.Error(), "Sinks[0] is nil") {
		t.Fatalf("New = %v, want ErrInvalidConfig naming Sinks[0]", err)
	}
}

// lockedBuffer is a log destination safe for the bus's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogsAreRedacted: a driver's panic and error quote a URL with its
// password; no log line the bus writes may show it (Health already hides it).
func TestLogsAreRedacted(t *testing.T) {
	const secret = "s3cret-pass"
	var logs lockedBuffer
	f := newFake()
	f.behave = func(call int, _ []*events.Event) error {
		if call == 1 {
			panic("dial redis://default:" + secret + "@10.0.0.1:6379 failed")
		}
		return sinks.Permanent(errors.New("rejected by amqp://audit:" + secret + "@broker:5672/"))
	}
	b, err := bus.New(bus.Config{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sinks: []sinks.Sink{sinks.WithOptions(f, sinks.Options{Name: "leaky",
			Supervision: supervisor.Policy{MaxRestarts: -1, OnGiveUp: supervisor.PauseSink}})}})
	if err != nil {
		t.Fatal(err)
	}
	b.Emit(events.Event{EventType: "x"})
	waitFor(t, "the pause", func() bool { return b.Health()[0].State == sinks.Paused })
	if err := b.Resume("leaky"); err != nil {
		t.Fatal(err)
	}
	wantLost(t, closeBus(t, b), lost("leaky", sinks.DropPermanent, 1))
	out := logs.String()
	if strings.Contains(out, secret) {
		t.Errorf("a log line shows the password:\n%s", out)
	}
	if !strings.Contains(out, "default:xxxxx@") || !strings.Contains(out, "audit:xxxxx@") {
		t.Errorf("the lines about the panic and the error are missing:\n%s", out)
	}
}
