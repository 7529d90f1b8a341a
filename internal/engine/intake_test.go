package engine

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/streamll/streamll-go/events"
)

func TestIntakeRoundsUpAndReportsFull(t *testing.T) {
	in := newIntake(5)
	if in.capacity() != 8 {
		t.Fatalf("capacity = %d, want 8", in.capacity())
	}
	for i := range 8 {
		if r, _ := in.put(&events.Event{Operation: fmt.Sprint(i)}, 0); r != putOK {
			t.Fatalf("put %d = %v", i, r)
		}
	}
	if r, _ := in.put(&events.Event{}, 0); r != putFull {
		t.Fatalf("put into a full intake = %v, want putFull", r)
	}
	var got []string
	in.take(3, func(s *slot) { got = append(got, s.ev.Operation) })
	if fmt.Sprint(got) != "[0 1 2]" || in.backlog() != 5 {
		t.Fatalf("took %v, backlog %d", got, in.backlog())
	}
	// The take freed exactly three slots, whichever way put learns it.
	for i := 8; i < 11; i++ {
		if r, _ := in.put(&events.Event{Operation: fmt.Sprint(i)}, 0); r != putOK {
			t.Fatalf("put %d after a take of three = %v", i, r)
		}
	}
	if r, _ := in.put(&events.Event{}, 0); r != putFull {
		t.Fatalf("put into the intake full again = %v, want putFull", r)
	}
	got = got[:0]
	in.take(100, func(s *slot) { got = append(got, s.ev.Operation) })
	if fmt.Sprint(got) != "[3 4 5 6 7 8 9 10]" || in.backlog() != 0 {
		t.Fatalf("took %v, backlog %d", got, in.backlog())
	}
	for i := range 8 { // a second lap, from the head alone
		if r, _ := in.put(&events.Event{}, 0); r != putOK {
			t.Fatalf("put %d on the second lap = %v", i, r)
		}
	}
}

func TestIntakeMarksEventsWithoutID(t *testing.T) {
	in := newIntake(2)
	in.put(&events.Event{}, 0)
	in.put(&events.Event{EventID: "given"}, 0)
	var got []string
	in.take(2, func(s *slot) { got = append(got, fmt.Sprintf("%v:%s", s.newID, s.ev.EventID)) })
	if fmt.Sprint(got) != "[true: false:given]" {
		t.Fatalf("ids = %q", got)
	}
}

func TestIntakeSealed(t *testing.T) {
	in := newIntake(4)
	in.put(&events.Event{}, 0)
	if end := in.seal(); end != 1 {
		t.Fatalf("seal = %d, want 1", end)
	}
	if r, _ := in.put(&events.Event{}, 0); r != putSealed {
		t.Fatalf("put after seal = %v, want putSealed", r)
	}
	if in.claimed() != 1 || !in.ready() {
		t.Fatalf("claimed %d, ready %v", in.claimed(), in.ready())
	}
}

// TestIntakeConcurrentProducers: every event put is taken exactly once, and
// each producer's events come out in the order it put them.
func TestIntakeConcurrentProducers(t *testing.T) {
	const producers, each = 4, 2000
	in := newIntake(64)
	var wg sync.WaitGroup
	var full atomic.Int64
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; {
				switch r, _ := in.put(&events.Event{ModuleName: fmt.Sprint(p), Operation: fmt.Sprint(i)}, 0); r {
				case putOK:
					i++
				case putFull:
					full.Add(1)
					runtime.Gosched()
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	next := make([]int, producers)
	total := 0
	check := func(s *slot) {
		var p, i int
		fmt.Sscan(s.ev.ModuleName, &p)
		fmt.Sscan(s.ev.Operation, &i)
		if i != next[p] {
			t.Errorf("producer %d: took event %d, want %d", p, i, next[p])
		}
		next[p] = i + 1
		total++
	}
	for {
		select {
		case <-done:
			for in.take(1<<30, check) > 0 {
			}
			if total != producers*each {
				t.Fatalf("took %d events, want %d", total, producers*each)
			}
			t.Logf("%d puts found the intake full", full.Load())
			return
		default:
			in.take(64, check)
		}
	}
}

func TestNudge(t *testing.T) {
	in := newIntake(4)
	_, first := in.put(&events.Event{}, 0)
	if wake, urgent := in.nudge(1, first); !wake || urgent {
		t.Fatalf("idle router: wake %v urgent %v, want a plain wake", wake, urgent)
	}
	if wake, _ := in.nudge(2, first); wake {
		t.Fatal("a lingering router with no due was woken twice")
	}
	_, half := in.put(&events.Event{}, 0)
	if wake, urgent := in.nudge(3, half); !wake || !urgent {
		t.Fatalf("half-full intake: wake %v urgent %v, want an urgent wake", wake, urgent)
	}
	if wake, _ := in.nudge(4, half); wake {
		t.Fatal("a running router was woken")
	}
}

// An Emit at or after the linger's due ends it; one before it does not.
func TestNudgeAtDue(t *testing.T) {
	in := newIntake(1024)
	if wake, _ := in.nudge(100, 0); !wake {
		t.Fatal("idle router not woken")
	}
	in.wake.due.Store(500)
	if wake, _ := in.nudge(499, 0); wake {
		t.Fatal("an Emit before the due ended the linger")
	}
	if wake, urgent := in.nudge(500, 0); !wake || !urgent {
		t.Fatalf("Emit at the due: wake %v urgent %v, want an urgent wake", wake, urgent)
	}
}

// TestSlotFillsWholeCacheLines pins the padding of a slot (and the size the
// docs give for it): producers filling neighbouring slots at once must not
// write one cache line.
func TestSlotFillsWholeCacheLines(t *testing.T) {
	if n := unsafe.Sizeof(slot{}); n != 192 {
		t.Fatalf("a slot is %d bytes; want 192, three cache lines (docs/architecture.md and docs/configuration.md give it)", n)
	}
}
