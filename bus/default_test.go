package bus_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

// Use starts the default bus, logging through slog.Default(); Shutdown
// closes it, reports through the same logger what was lost, and clears the
// default.
func TestUseAndShutdown(t *testing.T) {
	var logs bytes.Buffer
	was := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	defer slog.SetDefault(was)

	refused := newFake()
	refused.behave = func(int, []*events.Event) error { return sinks.Permanent(errors.New("refused")) }
	kept := newFake()
	b, err := bus.Use(sinks.WithOptions(kept, sinks.Options{Name: "kept"}), sinks.WithOptions(refused, sinks.Options{Name: "refused"}))
	if err != nil {
		t.Fatal(err)
	}
	if bus.Default() != b {
		t.Fatal("Use did not set the default bus")
	}
	ctx, ex := bus.Start(context.Background(), bus.Op{Operation: "op"})
	bus.Token(ctx, "tok")
	ex.End(nil)

	err = b.Shutdown()
	var ce *bus.CloseError
	if !errors.As(err, &ce) || ce.Lost["refused"][sinks.DropPermanent] != 3 || ce.Lost["kept"] != nil {
		t.Fatalf("Shutdown = %v, want a CloseError with the refused sink's 3 events", err)
	}
	if bus.Default() != nil {
		t.Error("Shutdown left the closed bus as the default")
	}
	if n := len(kept.events()); n != 3 {
		t.Errorf("kept received %d events, want 3", n)
	}
	out := logs.String()
	for _, want := range []string{"batch dropped: permanent error", "sink=refused", "bus: events were not delivered", "refused lost 3 events"} {
		if !strings.Contains(out, want) {
			t.Errorf("slog.Default() did not get %q; it got:\n%s", want, out)
		}
	}
	if err := b.Shutdown(); !errors.As(err, &ce) {
		t.Errorf("second Shutdown = %v, want the first's result", err)
	}
}

// Shutdown reports to the bus's own logger when it has one, and is quiet
// when everything was delivered.
func TestShutdownLogger(t *testing.T) {
	var logs bytes.Buffer
	f := newFake()
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{f}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	b.Emit(events.Event{EventType: "one"})
	if err := b.Shutdown(); err != nil {
		t.Fatalf("Shutdown = %v, want nil: everything was delivered", err)
	}
	if logs.Len() != 0 {
		t.Errorf("Shutdown logged although nothing was lost:\n%s", logs.String())
	}
	var nilBus *bus.Bus
	if err := nilBus.Shutdown(); err != nil {
		t.Errorf("Shutdown of a nil bus = %v", err)
	}
}
