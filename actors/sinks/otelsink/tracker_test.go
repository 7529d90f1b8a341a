package otelsink

import (
	"testing"
	"time"

	"github.com/streamll/streamll-go/events"
)

var t0 = time.Date(2026, 11, 26, 16, 31, 42, 0, time.UTC)

// ev makes an event of execution id (nested in parent, if given) at t0+at.
func ev(typ events.Type, id, parent string, at time.Duration, data map[string]any) *events.Event {
	return &events.Event{EventID: events.NewID(), ExecutionID: id, ParentID: parent, EventType: typ,
		Operation: "op", Timestamp: t0.Add(at), Data: data}
}

func testTracker(mod func(*Config)) *tracker {
	cfg := Config{IncompleteAfter: time.Minute}
	if mod != nil {
		mod(&cfg)
	}
	return newTracker(cfg.withDefaults())
}

// tick is an event of no open execution at t0+at: it advances the stream's
// clock and changes nothing else.
func tick(at time.Duration) *events.Event { return ev("tick", "elsewhere", "", at, nil) }

// run applies one pass of evs with the sink's clock at t0+now, expires,
// commits, and returns what finished.
func run(tr *tracker, now time.Duration, evs ...*events.Event) *pass {
	p := tr.begin(t0.Add(now))
	for _, e := range evs {
		p.apply(e)
	}
	p.expire()
	p.commit()
	return p
}

func finishedIDs(p *pass) map[string]string {
	m := map[string]string{}
	for _, f := range p.finished {
		why := "ended"
		if f.incomplete != "" {
			why = f.incomplete
		}
		m[f.r.id] = why
	}
	return m
}

func TestTrackerExpiry(t *testing.T) {
	tests := []struct {
		name  string
		steps []struct {
			now  time.Duration
			evs  []*events.Event
			want map[string]string // executions finished by the step, and how
		}
	}{
		{
			name: "a quiet execution ends as incomplete once IncompleteAfter has passed",
			steps: []struct {
				now  time.Duration
				evs  []*events.Event
				want map[string]string
			}{
				{0, []*events.Event{ev(events.TypeStart, "A", "", 0, nil)}, map[string]string{}},
				{time.Minute - time.Nanosecond, []*events.Event{tick(time.Minute - time.Nanosecond)}, map[string]string{}},
				{time.Minute, []*events.Event{tick(time.Minute)}, map[string]string{"A": incompleteTimeout}},
				{2 * time.Minute, []*events.Event{ev(events.TypeEnd, "A", "", 2*time.Minute, nil)}, map[string]string{}}, // late: ignored
			},
		},
		{
			name: "a parent is kept alive by the executions nested in it",
			steps: []struct {
				now  time.Duration
				evs  []*events.Event
				want map[string]string
			}{
				{0, []*events.Event{ev(events.TypeStart, "P", "", 0, nil)}, map[string]string{}},
				{40 * time.Second, []*events.Event{ev(events.TypeStart, "C", "P", 40*time.Second, nil)}, map[string]string{}},
				{80 * time.Second, []*events.Event{ev(events.TypeStart, "G", "C", 80*time.Second, nil)}, map[string]string{}},
				{130 * time.Second, []*events.Event{ev(events.TypeEnd, "G", "C", 130*time.Second, nil)}, map[string]string{"G": "ended"}},
				{189 * time.Second, []*events.Event{tick(189 * time.Second)}, map[string]string{}},
				{190 * time.Second, []*events.Event{tick(190 * time.Second)}, map[string]string{"P": incompleteTimeout, "C": incompleteTimeout}},
			},
		},
		{
			name: "tokens keep an execution alive",
			steps: []struct {
				now  time.Duration
				evs  []*events.Event
				want map[string]string
			}{
				{0, []*events.Event{ev(events.TypeStart, "A", "", 0, nil)}, map[string]string{}},
				{50 * time.Second, []*events.Event{ev(events.TypeToken, "A", "", 50*time.Second, nil)}, map[string]string{}},
				{100 * time.Second, []*events.Event{ev(events.TypeEnd, "A", "", 100*time.Second, nil)}, map[string]string{"A": "ended"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTracker(nil)
			for i, st := range tc.steps {
				got := finishedIDs(run(tr, st.now, st.evs...))
				if len(got) != len(st.want) {
					t.Fatalf("step %d: finished %v, want %v", i, got, st.want)
				}
				for id, why := range st.want {
					if got[id] != why {
						t.Errorf("step %d: %s finished %q, want %q", i, id, got[id], why)
					}
				}
			}
		})
	}
}

// An incomplete span ends at the execution's last event, not when the sink
// noticed.
func TestIncompleteEndsAtTheLastEvent(t *testing.T) {
	tr := testTracker(nil)
	run(tr, 0, ev(events.TypeStart, "A", "", 0, nil), ev(events.TypeToken, "A", "", 3*time.Second, nil))
	p := run(tr, 5*time.Minute, tick(5*time.Minute))
	if len(p.finished) != 1 || !p.finished[0].r.last.Equal(t0.Add(3*time.Second)) || p.finished[0].r.tokens != 1 {
		t.Fatalf("finished %+v", p.finished)
	}
	if p.counts.incomplete != 1 || tr.len() != 0 {
		t.Errorf("incomplete %d, open %d", p.counts.incomplete, tr.len())
	}
}

func TestMaxOpenRefusesAndTheEndStillMakesASpan(t *testing.T) {
	tr := testTracker(func(c *Config) { c.MaxOpen = 2 })
	p := run(tr, 0,
		ev(events.TypeStart, "A", "", 0, nil),
		ev(events.TypeStart, "B", "", 0, nil),
		ev(events.TypeStart, "C", "", 0, nil),
		ev(events.TypeToken, "C", "", time.Second, nil))
	if p.counts.refused != 1 || p.counts.ignored != 1 || tr.len() != 2 {
		t.Fatalf("refused %d ignored %d open %d, want 1 1 2", p.counts.refused, p.counts.ignored, tr.len())
	}
	p = run(tr, 2*time.Second, ev(events.TypeEnd, "C", "", 2*time.Second, map[string]any{events.KeyDurationSeconds: 2.0}))
	if len(p.finished) != 1 || p.counts.withoutStart != 1 {
		t.Fatalf("finished %d, without start %d", len(p.finished), p.counts.withoutStart)
	}
	r := p.finished[0].r
	if r.startSeen || !r.start.Equal(t0) || r.spanID != SpanIDFor("C") || r.traceID != TraceIDFor("C") {
		t.Errorf("span from the end alone: start %v (want %v), seen %v", r.start, t0, r.startSeen)
	}
	// Ending one frees a place.
	run(tr, 3*time.Second, ev(events.TypeEnd, "A", "", 3*time.Second, nil))
	p = run(tr, 3*time.Second, ev(events.TypeStart, "D", "", 3*time.Second, nil))
	if p.counts.refused != 0 || tr.len() != 2 {
		t.Errorf("refused %d open %d after an end freed a place", p.counts.refused, tr.len())
	}
}

// A pass that is not committed changes nothing, whatever it did: the retry
// of a failed Write sees the table as it was.
func TestAPassNotCommittedChangesNothing(t *testing.T) {
	tr := testTracker(func(c *Config) { c.TokenEvents = true; c.MaxSpanEvents = 10 })
	run(tr, 0, ev(events.TypeStart, "P", "", 0, nil), ev(events.TypeStart, "A", "P", 0, nil),
		ev(events.TypeToken, "A", "P", time.Second, nil))
	before := *tr.open["A"]

	p := tr.begin(t0.Add(2 * time.Minute))
	for _, e := range []*events.Event{
		tick(2 * time.Minute),
		ev(events.TypeToken, "A", "P", 2*time.Minute, nil),
		ev("docs_found", "A", "P", 2*time.Minute, nil),
		ev(events.TypeEnd, "A", "P", 2*time.Minute, nil),
		ev(events.TypeStart, "B", "", 2*time.Minute, nil),
	} {
		p.apply(e)
	}
	p.expire()
	if len(p.finished) != 1 { // A ended; P was kept alive by it
		t.Fatalf("the pass finished %d executions, want 1", len(p.finished))
	}
	// Dropped, not committed.
	after := tr.open["A"]
	if tr.len() != 2 || after == nil || after.tokens != before.tokens || len(after.events) != len(before.events) || !after.seen.Equal(before.seen) {
		t.Fatalf("the table changed: open %d, A %+v", tr.len(), after)
	}
	if _, ok := tr.open["B"]; ok {
		t.Error("B is open although the pass was dropped")
	}
	// The same batch again gives the same result.
	p = run(tr, 2*time.Minute,
		ev(events.TypeToken, "A", "P", 2*time.Minute, nil),
		ev(events.TypeEnd, "A", "P", 2*time.Minute, nil))
	if got := finishedIDs(p); len(got) != 1 || got["A"] != "ended" {
		t.Errorf("retry finished %v, want A ended", got)
	}
	for _, f := range p.finished {
		if f.r.id == "A" && (f.r.tokens != 2 || len(f.r.events) != 2) {
			t.Errorf("A has %d tokens and %d events, want 2 and 2", f.r.tokens, len(f.r.events))
		}
	}
}

func TestSpanEventLimit(t *testing.T) {
	// Each case has one custom event and 5 tokens.
	tests := []struct {
		name        string
		max         int
		tokenEvents bool
	}{
		{"token events up to the limit", 2, true},
		{"tokens not kept by default", 2, false},
		{"negative keeps none", -1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := testTracker(func(c *Config) { c.MaxSpanEvents = tc.max; c.TokenEvents = tc.tokenEvents })
			evs := []*events.Event{ev(events.TypeStart, "A", "", 0, nil), ev("docs_found", "A", "", 0, nil)}
			for i := range 5 {
				evs = append(evs, ev(events.TypeToken, "A", "", time.Duration(i+1)*time.Millisecond, nil))
			}
			evs = append(evs, ev(events.TypeEnd, "A", "", time.Second, nil))
			p := run(tr, 0, evs...)
			r := p.finished[0].r
			kept, dropped := len(r.events), r.dropped
			wantKept := min(max(tc.max, 0), 1+map[bool]int{true: 5, false: 0}[tc.tokenEvents])
			wantDropped := 1 + map[bool]int{true: 5, false: 0}[tc.tokenEvents] - wantKept
			if kept != wantKept || dropped != wantDropped || int(p.counts.eventsDropped) != wantDropped {
				t.Errorf("kept %d dropped %d (counted %d), want %d %d", kept, dropped, p.counts.eventsDropped, wantKept, wantDropped)
			}
			if r.tokens != 5 {
				t.Errorf("tokens %d, want 5 counted whatever is kept", r.tokens)
			}
		})
	}
}

func TestCloseAllEndsEveryOpenExecution(t *testing.T) {
	tr := testTracker(nil)
	run(tr, 0, ev(events.TypeStart, "A", "", 0, nil), ev(events.TypeStart, "B", "A", 0, nil))
	p := tr.begin(t0.Add(time.Second))
	p.apply(ev(events.TypeToken, "B", "A", time.Second, nil)) // a copy in the pass
	p.apply(ev(events.TypeStart, "C", "", time.Second, nil))  // new in the pass
	p.closeAll()
	p.commit()
	got := finishedIDs(p)
	if len(got) != 3 || got["A"] != incompleteClosed || got["B"] != incompleteClosed || got["C"] != incompleteClosed {
		t.Errorf("closeAll finished %v, want A, B and C closed", got)
	}
	if tr.len() != 0 || tr.head != nil || tr.tail != nil {
		t.Errorf("open %d after closeAll", tr.len())
	}
}

func TestIgnoredEvents(t *testing.T) {
	tr := testTracker(nil)
	p := run(tr, 0,
		ev(events.TypeToken, "X", "", 0, nil),           // never started
		ev("docs_found", "X", "", 0, nil),               // never started
		&events.Event{EventType: "note", Timestamp: t0}, // no execution
		ev(events.TypeStart, "A", "", 0, nil),
		ev(events.TypeStart, "A", "", 0, nil), // a second start
	)
	if p.counts.ignored != 4 {
		t.Errorf("ignored %d, want 4", p.counts.ignored)
	}
}

// A nested execution whose parent this sink never saw still has a stable
// trace: the one its parent would have as a top-level execution.
func TestOrphanTrace(t *testing.T) {
	tr := testTracker(nil)
	p := run(tr, 0, ev(events.TypeStart, "C1", "P", 0, nil), ev(events.TypeStart, "C2", "P", 0, nil),
		ev(events.TypeEnd, "C1", "P", 0, nil), ev(events.TypeEnd, "C2", "P", 0, nil))
	for _, f := range p.finished {
		if f.r.traceID != TraceIDFor("P") || f.r.parent != SpanIDFor("P") {
			t.Errorf("%s: trace %s parent %s", f.r.id, f.r.traceID, f.r.parent)
		}
	}
}

// Events held back by an outage arrive with their own timestamps: however
// late the sink gets them, they show their executions active, and nothing is
// ended as incomplete.
func TestAnOutageEndsNothingAsIncomplete(t *testing.T) {
	tr := testTracker(nil)
	run(tr, 0, ev(events.TypeStart, "A", "", 0, nil))
	// The breaker was open for 20 minutes; the buffered events come now.
	p := run(tr, 20*time.Minute, ev(events.TypeToken, "A", "", time.Second, nil))
	if len(p.finished) != 0 {
		t.Fatalf("finished %v after an outage", finishedIDs(p))
	}
	p = run(tr, 20*time.Minute, ev(events.TypeEnd, "A", "", 2*time.Second, nil))
	if got := finishedIDs(p); got["A"] != "ended" {
		t.Errorf("finished %v, want A ended by its own end", got)
	}
}

// An event stamped in the future cannot push the stream's clock past the
// sink's, and so cannot end everything as incomplete.
func TestAFutureTimestampDoesNotExpireEverything(t *testing.T) {
	tr := testTracker(nil)
	run(tr, 0, ev(events.TypeStart, "A", "", 0, nil))
	p := run(tr, time.Second, tick(24*time.Hour))
	if len(p.finished) != 0 || !tr.clock.Equal(t0.Add(time.Second)) {
		t.Errorf("finished %v, clock %v", finishedIDs(p), tr.clock)
	}
}
