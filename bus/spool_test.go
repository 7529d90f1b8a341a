package bus_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/spool/spooltest"
)

// switchable is a fake whose backend is down until up is set.
func switchable(up *atomic.Bool) *fake {
	f := newFake()
	f.behave = func(int, []*events.Event) error {
		if !up.Load() {
			return errors.New("connection refused")
		}
		return nil
	}
	return f
}

var spoolRetry = supervisor.Retry{InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, NoJitter: true}

func spooledOpts(dir string, buffer int) sinks.Options {
	return sinks.Options{Name: "audit", BufferSize: buffer, BatchSize: min(buffer, 50), Retry: spoolRetry,
		Breaker: supervisor.BreakerPolicy{Disabled: true}, Spool: sinks.Spool{Dir: dir}}
}

func ops(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Operation
	}
	return out
}

func wantSequence(t *testing.T, got []string, n int) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("delivered %d events, want %d", len(got), n)
	}
	for i, op := range got {
		if op != fmt.Sprint(i) {
			t.Fatalf("delivered[%d] = %s: order broken", i, op)
		}
	}
}

// TestSpoolOutlastsMemory: an outage longer than the memory buffer loses
// nothing with a spool; every event arrives, in order, once the backend is
// back.
func TestSpoolOutlastsMemory(t *testing.T) {
	var up atomic.Bool
	f := switchable(&up)
	b := newBus(t, sinks.WithOptions(f, spooledOpts(t.TempDir(), 100)))
	const n = 5000
	for i := range n {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	h := b.Health()[0]
	if h.DroppedTotal() != 0 || h.Buffered != n || h.Spool == nil || h.Spool.Events != n {
		t.Fatalf("during the outage: %+v, spool %+v", h, h.Spool)
	}
	up.Store(true)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
	wantSequence(t, ops(f.events()), n)
}

// TestSpoolSurvivesTheBus: what one bus could not deliver is delivered by
// the next bus on the same directory, first and in order; Close says what it
// left in the spool, as not lost.
func TestSpoolSurvivesTheBus(t *testing.T) {
	dir := t.TempDir()
	var down atomic.Bool
	first := switchable(&down)
	b := newBus(t, sinks.WithOptions(first, spooledOpts(dir, 50)))
	for i := range 300 {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := b.Close(ctx)
	var ce *bus.CloseError
	if !errors.As(err, &ce) || ce.Total() != 0 || ce.Spooled["audit"] != 300 {
		t.Fatalf("Close = %v, want 300 events left in the spool and none lost", err)
	}

	var up atomic.Bool
	up.Store(true)
	second := switchable(&up)
	b2 := newBus(t, sinks.WithOptions(second, spooledOpts(dir, 50)))
	for i := 300; i < 310; i++ {
		b2.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	if err := closeBus(t, b2); err != nil {
		t.Fatal(err)
	}
	wantSequence(t, ops(second.events()), 310)
	if h := b2.Health()[0]; h.Received != 310 || h.Delivered != 310 || h.Buffered != 0 {
		t.Errorf("second bus: %+v", h)
	}
}

// TestSpoolIsOwnedByOneBus: a second bus on a spool directory in use fails
// at New, and leaves the first one working.
func TestSpoolIsOwnedByOneBus(t *testing.T) {
	dir := t.TempDir()
	b := newBus(t, sinks.WithOptions(newFake(), spooledOpts(dir, 10)))
	_, err := bus.New(bus.Config{Sinks: []sinks.Sink{sinks.WithOptions(newFake(), spooledOpts(dir, 10))}})
	if !errors.Is(err, sinks.ErrSpoolLocked) {
		t.Fatalf("second New = %v, want ErrSpoolLocked", err)
	}
	b.Emit(events.Event{EventType: "x"})
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
}

// TestFlushWithASpoolMeansDurable: with the backend down, Flush still
// returns, once what was emitted is durable in the spool.
func TestFlushWithASpoolMeansDurable(t *testing.T) {
	var up atomic.Bool
	b := newBus(t, sinks.WithOptions(switchable(&up), spooledOpts(t.TempDir(), 10)))
	for i := range 100 {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil {
		t.Fatalf("Flush with the backend down = %v, want nil once spooled", err)
	}
	if h := b.Health()[0]; h.Delivered != 0 || h.Spool.Events != 100 {
		t.Errorf("after Flush: %+v", h)
	}
	up.Store(true)
	if err := closeBus(t, b); err != nil {
		t.Fatal(err)
	}
}

// TestFullSpoolRefusesAndCounts: a full spool refuses new events, counted
// as spool_full, and never blocks Emit or evicts what it holds.
func TestFullSpoolRefusesAndCounts(t *testing.T) {
	var up atomic.Bool
	f := switchable(&up)
	opts := spooledOpts(t.TempDir(), 10)
	opts.Spool.MaxBytes = 64 << 10
	b := newBus(t, sinks.WithOptions(f, opts))
	const n = 2000 // ~130 KiB of events: about half fit
	for i := range n {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i), Data: map[string]any{"pad": "0123456789012345678901234567890123456789"}})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil { // spooled or refused: settled either way
		t.Fatal(err)
	}
	h := b.Health()[0]
	full := h.Dropped["spool_full"]
	if full == 0 || full == n || uint64(h.Buffered)+full != n {
		t.Fatalf("spool_full %d of %d, buffered %d: %+v", full, n, h.Buffered, h)
	}
	up.Store(true)
	wantLost(t, closeBus(t, b), lost("audit", sinks.DropSpoolFull, full))
	wantSequence(t, ops(f.events()), int(n-full)) // the oldest are kept, in order
}

// TestSpoolSkipsACorruptRecordAndCounts: a record corrupted on disk between
// two buses is skipped, counted as spool_corrupt, and everything else is
// still delivered, in order.
func TestSpoolSkipsACorruptRecordAndCounts(t *testing.T) {
	dir := t.TempDir()
	var down atomic.Bool
	b := newBus(t, sinks.WithOptions(switchable(&down), spooledOpts(dir, 50)))
	for i := range 100 {
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_ = b.Close(ctx) // everything is left in the spool

	segs, err := filepath.Glob(filepath.Join(dir, "*.seg"))
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments %v (%v)", segs, err)
	}
	data, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff // inside a record in the middle
	if err := os.WriteFile(segs[0], data, 0o644); err != nil {
		t.Fatal(err)
	}

	var up atomic.Bool
	up.Store(true)
	f := switchable(&up)
	b2 := newBus(t, sinks.WithOptions(f, spooledOpts(dir, 50)))
	err = closeBus(t, b2)
	h := b2.Health()[0]
	corrupt := h.Dropped["spool_corrupt"]
	wantLost(t, err, lost("audit", sinks.DropSpoolCorrupt, corrupt))
	got := ops(f.events())
	if corrupt == 0 || uint64(len(got))+corrupt != 100 || h.Spool.CorruptSkipped != corrupt {
		t.Fatalf("delivered %d, corrupt %d: %+v", len(got), corrupt, h)
	}
	prev := -1
	for _, op := range got {
		var i int
		fmt.Sscan(op, &i)
		if i <= prev {
			t.Fatalf("order broken: %v", got)
		}
		prev = i
	}
}

// TestSpoolOnAFullDisk: a spool on a tiny real file system that fills up
// never crashes the process or blocks Emit: the sink holds events in memory
// (shown in Health as a failing spool), counts what does not fit, and goes
// back to the spool once space returns; every event is delivered or counted.
func TestSpoolOnAFullDisk(t *testing.T) {
	mnt := spooltest.Tmpfs(t, 1<<20)
	filler := filepath.Join(mnt, "filler")
	if err := os.WriteFile(filler, make([]byte, 900<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	var up atomic.Bool
	f := switchable(&up)
	b := newBus(t, sinks.WithOptions(f, spooledOpts(filepath.Join(mnt, "spool"), 200)))
	const n = 3000 // ~270 KiB of events for ~100 KiB of disk
	slowest := time.Duration(0)
	for i := range n {
		start := time.Now()
		b.Emit(events.Event{EventType: "step", Operation: fmt.Sprint(i), Data: map[string]any{"pad": "0123456789012345678901234567890123456789"}})
		slowest = max(slowest, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = b.Flush(ctx) // with the disk full and the sink down, memory-only events hold it: bounded
	h := b.Health()[0]
	if !h.Spool.Failing || h.Spool.DiskErrors == 0 || h.Received != n {
		t.Fatalf("the full disk is not shown: %+v, spool %+v", h, h.Spool)
	}
	if h.Delivered+h.DroppedTotal()+uint64(h.Buffered) != n {
		t.Fatalf("counts do not add up: %+v", h)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	up.Store(true)
	err := closeBus(t, b)
	h = b.Health()[0]
	if h.Delivered+h.DroppedTotal() != n || h.Delivered == 0 || h.Buffered != 0 {
		t.Fatalf("after the disk came back (%v): %+v", err, h)
	}
	if h.Spool.Failing {
		t.Errorf("the spool still says failing once space came back: %+v", h.Spool)
	}
	t.Logf("delivered %d, dropped %v, slowest Emit %v", h.Delivered, h.Dropped, slowest)
}
