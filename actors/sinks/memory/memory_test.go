package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		cfg     memory.Config
		wantErr bool
	}{
		{"zero value", memory.Config{}, false},
		{"discard", memory.Config{Discard: true}, false},
		{"negative batch size", memory.Config{Options: sinks.Options{BatchSize: -1}}, true},
		{"batch larger than buffer", memory.Config{Options: sinks.Options{BatchSize: 10, BufferSize: 5}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := memory.New(tt.cfg)
			if tt.wantErr {
				if !errors.Is(err, sinks.ErrInvalidConfig) {
					t.Fatalf("New = %v, want an error matching sinks.ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New = %v", err)
			}
			if got := s.HostOptions(); got.BatchSize != tt.cfg.BatchSize || got.BufferSize != tt.cfg.BufferSize {
				t.Errorf("HostOptions = %+v, want the Config's %+v", got, tt.cfg.Options)
			}
		})
	}
}

func TestSinkIdentity(t *testing.T) {
	var s sinks.Configured = mustNew(t, memory.Config{Options: sinks.Options{Name: "captured"}})
	if got := s.(sinks.Namer).Name(); got != "memory" {
		t.Errorf("Name = %q, want memory", got)
	}
	if got := s.HostOptions().Name; got != "captured" {
		t.Errorf("HostOptions().Name = %q, want captured", got)
	}
}

func TestDiscardCountsWithoutKeeping(t *testing.T) {
	s := mustNew(t, memory.Config{Discard: true})
	write(t, s, sinktest.MakeEvents(3, "discard"))
	write(t, s, sinktest.MakeEvents(4, "discard"))
	if got := s.Len(); got != 7 {
		t.Errorf("Len = %d, want 7", got)
	}
	if got := s.Events(); len(got) != 0 {
		t.Errorf("Events holds %d events in Discard mode, want none", len(got))
	}
}

func TestEventsIsASnapshot(t *testing.T) {
	s := mustNew(t, memory.Config{})
	batch := sinktest.MakeEvents(2, "snapshot")
	write(t, s, batch)
	snap := s.Events()
	snap[0].Operation = "changed by the caller"
	batch[1].Operation = "changed by the producer"
	write(t, s, sinktest.MakeEvents(1, "later"))

	got := s.Events()
	if len(snap) != 2 || len(got) != 3 {
		t.Fatalf("snapshot has %d events and a later read %d, want 2 and 3", len(snap), len(got))
	}
	if got[0].Operation != "snapshot-00000" || got[1].Operation != "snapshot-00001" {
		t.Errorf("stored operations = %q, %q: a caller or the producer changed the sink's copy", got[0].Operation, got[1].Operation)
	}
}

func TestWaitReturnsOnceEnoughArrived(t *testing.T) {
	s := mustNew(t, memory.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	const batches, size = 50, 10

	// Several waiters for different counts, all woken by the writer below.
	results := make(chan error, 3)
	for _, n := range []int{1, batches * size / 2, batches * size} {
		go func() { results <- s.Wait(ctx, n) }()
	}
	for range batches {
		write(t, s, sinktest.MakeEvents(size, "wait"))
	}
	for range 3 {
		if err := <-results; err != nil {
			t.Errorf("Wait = %v", err)
		}
	}
	if got := len(s.Events()); got != batches*size {
		t.Errorf("Events holds %d events, want %d", got, batches*size)
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	for _, discard := range []bool{false, true} {
		s := mustNew(t, memory.Config{Discard: discard})
		write(t, s, sinktest.MakeEvents(1, "ctx"))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := s.Wait(ctx, 2)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Discard=%v: Wait on a cancelled context = %v, want context.Canceled", discard, err)
		}
		if err := s.Wait(ctx, 1); err != nil {
			t.Errorf("Discard=%v: Wait for what already arrived = %v, want nil even with a done context", discard, err)
		}
	}
}

func TestDiscardWaitIsWoken(t *testing.T) {
	s := mustNew(t, memory.Config{Discard: true})
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Wait(ctx, 100) }()
	for range 100 {
		write(t, s, sinktest.MakeEvents(1, "discard-wait"))
	}
	if err := <-done; err != nil {
		t.Errorf("Wait = %v", err)
	}
}

func TestDiscardWriteDoesNotAllocate(t *testing.T) {
	s := mustNew(t, memory.Config{Discard: true})
	batch := sinktest.MakeEvents(256, "allocs")
	ctx := t.Context()
	allocs := testing.AllocsPerRun(100, func() {
		if err := s.Write(ctx, batch); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Write in Discard mode allocates %v times per batch, want 0", allocs)
	}
}

func BenchmarkWrite(b *testing.B) {
	s, err := memory.New(memory.Config{Discard: true})
	if err != nil {
		b.Fatal(err)
	}
	batch := sinktest.MakeEvents(256, "bench")
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Write(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.Len())/b.Elapsed().Seconds(), "events/s")
}

func mustNew(t *testing.T, cfg memory.Config) *memory.Sink {
	t.Helper()
	s, err := memory.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func write(t *testing.T, s *memory.Sink, batch []*events.Event) {
	t.Helper()
	if err := s.Write(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
}
