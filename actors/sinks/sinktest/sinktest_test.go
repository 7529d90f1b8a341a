package sinktest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/memory"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// faultEnv names the fault TestFaultyDriver gives its driver.
const faultEnv = "SINKTEST_FAULT"

// TestSuiteCatchesFaultyDrivers proves the suite's cases by running it, in a
// child process each, against a driver with one fault: the case aimed at that
// fault must fail, and the driver without a fault must pass.
func TestSuiteCatchesFaultyDrivers(t *testing.T) {
	tests := []struct {
		fault string
		fails []string // cases that must fail
	}{
		{"none", nil},
		{"none-network", nil},
		{"drops-last", []string{"Delivery", "Order", "BatchBoundaries/LargeBatch", "CloseFlushes"}},
		{"reorders", []string{"Delivery", "Order", "BatchBoundaries/LargeBatch"}},
		{"drops-microseconds", []string{"Delivery"}},
		{"drops-tags", []string{"Delivery"}},
		{"delivers-on-empty-batch", []string{"BatchBoundaries/NilBatch", "BatchBoundaries/EmptyBatch"}},
		{"holds-until-next-write", []string{"CloseFlushes"}},
		{"errors-on-second-close", []string{"CloseIdempotent"}},
		{"ignores-close", []string{"WriteAfterClose"}},
		{"hangs-when-cancelled", []string{"CancelledContext"}},
		{"breaks-after-cancel", []string{"CancelledContext"}},
		{"drops-unserializable", []string{"UnserializableData"}},
		{"leaks-goroutine", []string{"NoGoroutineLeak"}},
		{"refuses-resend", []string{"ResentBatch"}},
		{"errors-on-close-without-write", []string{"CloseWithoutWrite"}},
		{"claims-cut-delivered", []string{"Faults/CutThenRestored"}},
		{"permanent-on-cut", []string{"Faults/CutThenRestored", "Faults/FrozenGivesUp"}},
		{"ignores-deadline", []string{"Faults/FrozenGivesUp"}},
		{"counts-from-one", []string{"Faults/PartialBatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.fault, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestFaultyDriver$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), faultEnv+"="+tt.fault)
			out, err := cmd.CombinedOutput()
			if tt.fails == nil {
				if err != nil {
					t.Fatalf("the suite fails a correct driver (%v):\n%s", err, out)
				}
				return
			}
			if err == nil {
				t.Fatalf("the suite passes a driver that %s:\n%s", tt.fault, out)
			}
			for _, name := range tt.fails {
				if !strings.Contains(string(out), "--- FAIL: TestFaultyDriver/"+name+" ") {
					t.Errorf("case %s does not fail for a driver that %s:\n%s", name, tt.fault, out)
				}
			}
			if !strings.Contains(string(out), "the rule this case checks (") {
				t.Errorf("the failing cases do not say which rule they check:\n%s", out)
			}
		})
	}
}

// TestFaultyDriver runs the suite against the driver with the fault named by
// SINKTEST_FAULT; TestSuiteCatchesFaultyDrivers starts it.
func TestFaultyDriver(t *testing.T) {
	fault := os.Getenv(faultEnv)
	if fault == "" {
		t.Skip("run by TestSuiteCatchesFaultyDrivers with " + faultEnv + " set")
	}
	timeout := time.Second
	if strings.HasPrefix(fault, "none") {
		timeout = 0 // the default: a correct driver must not fail for lack of time
	}
	if _, ok := lineFaults[fault]; ok {
		runLineDriver(t, fault, timeout)
		return
	}
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) sinks.Sink {
			mem, err := memory.New(memory.Config{})
			if err != nil {
				t.Fatal(err)
			}
			f := &faultySink{fault: fault, mem: mem, hang: make(chan struct{}), seen: map[string]bool{}}
			if fault == "leaks-goroutine" {
				go func() { <-f.hang }()
			}
			return f
		},
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			mem := s.(*faultySink).mem
			_ = mem.Wait(ctx, want)
			got := mem.Events()
			for i := range got {
				switch fault {
				case "drops-microseconds":
					got[i].Timestamp = got[i].Timestamp.Truncate(time.Millisecond)
				case "drops-tags":
					got[i].Tags = nil
				}
			}
			return got
		},
		Features: sinktest.Features{Timeout: timeout},
	})
}

// faultySink is a memory sink with one fault.
type faultySink struct {
	fault  string
	mem    *memory.Sink
	hang   chan struct{} // never closed
	held   []*events.Event
	closes int
	writes int
	broken bool
	seen   map[string]bool
}

func (f *faultySink) Write(ctx context.Context, batch []*events.Event) error {
	f.writes++
	switch f.fault {
	case "refuses-resend":
		for _, ev := range batch {
			if f.seen[ev.EventID] {
				return errors.New("event " + ev.EventID + " was written before")
			}
		}
		for _, ev := range batch {
			f.seen[ev.EventID] = true
		}
	case "drops-last":
		if len(batch) > 1 {
			batch = batch[:len(batch)-1]
		}
	case "reorders":
		if len(batch) > 1 {
			batch = slices.Clone(batch)
			batch[0], batch[1] = batch[1], batch[0]
		}
	case "delivers-on-empty-batch":
		if len(batch) == 0 {
			batch = sinktest.MakeEvents(1, "phantom")
		}
	case "holds-until-next-write":
		batch, f.held = f.held, slices.Clone(batch)
	case "hangs-when-cancelled":
		if ctx.Err() != nil {
			<-f.hang
		}
	case "breaks-after-cancel":
		f.broken = f.broken || ctx.Err() != nil
		if f.broken {
			return errors.New("broken since a cancelled write")
		}
	case "drops-unserializable":
		batch = slices.DeleteFunc(slices.Clone(batch), func(ev *events.Event) bool { return ev.Data["chan"] != nil })
	}
	return f.mem.Write(ctx, batch)
}

func (f *faultySink) Close(ctx context.Context) error {
	f.closes++
	switch {
	case f.fault == "errors-on-second-close" && f.closes > 1:
		return errors.New("already closed")
	case f.fault == "ignores-close":
		return nil
	case f.fault == "errors-on-close-without-write" && f.writes == 0:
		return errors.New("nothing to close")
	}
	return f.mem.Close(ctx)
}
