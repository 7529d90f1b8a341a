package otelsink

import (
	"encoding/json"
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/events"
)

// record is what the sink holds of an open execution until it ends. Once in
// the tracker's table a record is never modified: a pass works on a copy and
// its commit replaces the original, so that a Write whose export fails leaves
// the table as it found it.
type record struct {
	id       string
	parentID string
	traceID  trace.TraceID
	spanID   trace.SpanID
	parent   trace.SpanID // zero: a root span
	remote   bool         // parent is the caller's OpenTelemetry span

	operation string
	module    string
	method    string
	tags      map[string]string // shared, read-only, as every event's tags

	startSeen    bool
	startEventID string
	start        time.Time
	startAttrs   []attribute.KeyValue // the start event's data
	genAIOp      string               // gen_ai.operation.name of the start
	model        string               // gen_ai.request.model of the start

	tokens     int64
	firstToken time.Time
	lastToken  time.Time
	events     []spanEvent // appended to only past every copy's length
	dropped    int         // span events beyond the limit

	last time.Time // the latest event timestamp: where an incomplete span ends
	seen time.Time // the stream time of the last activity, for expiry

	prev, next *record // the tracker's order, oldest seen first
}

// spanEvent is a token or custom event that becomes a span event.
type spanEvent struct {
	name  string
	at    time.Time
	attrs []attribute.KeyValue
}

// Why a span was ended without its end event.
const (
	incompleteTimeout = "timeout"
	incompleteClosed  = "closed"
)

// finished is an execution whose span is ready to be built.
type finished struct {
	r          *record
	end        *ending // nil when incomplete
	incomplete string  // incompleteTimeout or incompleteClosed, or ""
}

// ending is what the end or error event adds to a span.
type ending struct {
	at       time.Time
	eventID  string
	failed   bool
	errType  string // error_type
	errMsg   string // error_message
	kind     string // the data's error.type (a provider's error type), if any
	ttft     float64
	hasTTFT  bool
	attrs    []attribute.KeyValue
	genAIOp  string
	model    string
	duration float64
}

// counts are the tallies of one pass, added to the sink's Stats when the
// pass is committed.
type counts struct {
	refused, ignored, withoutStart, incomplete, eventsDropped int64
}

// tracker holds the open executions: a table by execution id and a list in
// the order they were last active, so that expiry looks only at the oldest.
// It is a plain state machine: the clock comes in with each pass, and nothing
// in it starts a goroutine. One goroutine uses it at a time.
//
// Activity is measured in stream time: the events' own timestamps, and the
// stream's clock is the latest timestamp seen, never ahead of the sink's
// clock. So an outage that holds events in the host's buffer for longer than
// IncompleteAfter ends nothing as incomplete when they arrive: their
// timestamps say the executions were active.
type tracker struct {
	open       map[string]*record
	head, tail *record
	clock      time.Time // the stream's clock

	// recently ended as incomplete, so that their late events are ignored
	// instead of making a second span with the same id; a ring bounded by
	// the table's size.
	gone     map[string]struct{}
	goneRing []string
	goneNext int

	maxOpen     int
	after       time.Duration
	maxEvents   int // negative: keep none
	tokenEvents bool
}

func newTracker(cfg Config) *tracker {
	return &tracker{
		open:        make(map[string]*record),
		gone:        make(map[string]struct{}),
		goneRing:    make([]string, 0, min(cfg.MaxOpen, 4096)),
		maxOpen:     cfg.MaxOpen,
		after:       cfg.IncompleteAfter,
		maxEvents:   cfg.MaxSpanEvents,
		tokenEvents: cfg.TokenEvents,
	}
}

func (t *tracker) len() int { return len(t.open) }

func (t *tracker) pushBack(r *record) {
	r.prev, r.next = t.tail, nil
	if t.tail != nil {
		t.tail.next = r
	} else {
		t.head = r
	}
	t.tail = r
}

func (t *tracker) unlink(r *record) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		t.head = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		t.tail = r.prev
	}
	r.prev, r.next = nil, nil
}

func (t *tracker) remember(id string) {
	if cap(t.goneRing) == 0 {
		return
	}
	if len(t.goneRing) < cap(t.goneRing) {
		t.goneRing = append(t.goneRing, id)
	} else {
		delete(t.gone, t.goneRing[t.goneNext])
		t.goneRing[t.goneNext] = id
		t.goneNext = (t.goneNext + 1) % len(t.goneRing)
	}
	t.gone[id] = struct{}{}
}

// pass is one Write's (or Close's) work on the tracker: the changes it would
// make, staged until commit. Dropping a pass undoes it.
type pass struct {
	t        *tracker
	now      time.Time          // the sink's clock
	clock    time.Time          // the stream's clock, advanced by the pass's events
	touched  map[string]*record // copies and new records; nil: ended in this pass
	open     int                // executions open if the pass is committed
	gone     []string
	finished []finished
	counts   counts
}

func (t *tracker) begin(now time.Time) *pass {
	return &pass{t: t, now: now, clock: t.clock, touched: make(map[string]*record), open: len(t.open)}
}

// commit makes the pass's changes the tracker's state.
func (p *pass) commit() {
	t := p.t
	var active []*record
	for id, r := range p.touched {
		if old := t.open[id]; old != nil {
			t.unlink(old)
			delete(t.open, id)
		}
		if r != nil {
			t.open[id] = r
			active = append(active, r)
		}
	}
	// The pass's records were active after every record the list holds, up
	// to the skew of concurrent producers' timestamps; in their own order,
	// they keep the list in order.
	slices.SortFunc(active, func(a, b *record) int { return a.seen.Compare(b.seen) })
	for _, r := range active {
		t.pushBack(r)
	}
	for _, id := range p.gone {
		t.remember(id)
	}
	t.clock = p.clock
}

// at returns when ev happened in stream time, and advances the stream's
// clock to it: its timestamp, but never ahead of the sink's clock, so that an
// event stamped in the future cannot make every execution look abandoned.
func (p *pass) at(ev *events.Event) time.Time {
	at := ev.Timestamp
	if at.After(p.now) {
		at = p.now
	}
	if at.After(p.clock) {
		p.clock = at
	}
	return at
}

func (p *pass) lookup(id string) *record {
	if r, ok := p.touched[id]; ok {
		return r
	}
	return p.t.open[id]
}

// mutable returns the pass's own copy of the open execution id, marked
// active at at, or nil if it is not open.
func (p *pass) mutable(id string, at time.Time) *record {
	if r, ok := p.touched[id]; ok {
		if r != nil {
			r.seen = later(r.seen, at)
		}
		return r
	}
	r := p.t.open[id]
	if r == nil {
		return nil
	}
	c := *r
	c.prev, c.next = nil, nil
	c.seen = later(c.seen, at)
	p.touched[id] = &c
	return &c
}

func (p *pass) isGone(id string) bool {
	_, ok := p.t.gone[id]
	return ok
}

// touchAncestors marks the executions id is nested in as active: a parent
// that is quiet while its children work is not abandoned.
func (p *pass) touchAncestors(id string, at time.Time) {
	for depth := 0; id != "" && depth < maxDepth; depth++ {
		r := p.mutable(id, at)
		if r == nil {
			return
		}
		id = r.parentID
	}
}

// apply takes one event into the pass.
func (p *pass) apply(ev *events.Event) {
	p.at(ev)
	if ev.ExecutionID == "" {
		p.counts.ignored++ // an event outside any execution has no span
		return
	}
	switch ev.EventType {
	case events.TypeStart:
		p.start(ev)
	case events.TypeEnd, events.TypeError:
		p.end(ev)
	case events.TypeToken:
		p.token(ev)
	default:
		p.custom(ev)
	}
}

func (p *pass) start(ev *events.Event) {
	id := ev.ExecutionID
	if p.lookup(id) != nil || p.isGone(id) {
		p.counts.ignored++ // a second start of the same execution
		return
	}
	if p.open >= p.t.maxOpen {
		p.counts.refused++
		return
	}
	r := &record{
		id:           id,
		parentID:     ev.ParentID,
		spanID:       SpanIDFor(id),
		operation:    ev.Operation,
		module:       ev.ModuleName,
		method:       ev.MethodName,
		tags:         ev.Tags,
		startSeen:    true,
		startEventID: ev.EventID,
		start:        ev.Timestamp,
		last:         ev.Timestamp,
		seen:         p.at(ev),
		genAIOp:      stringData(ev.Data, events.KeyGenAIOperationName),
		model:        stringData(ev.Data, events.KeyGenAIRequestModel),
	}
	callerTrace, hasTrace := traceIDData(ev.Data)
	callerSpan, hasSpan := spanIDData(ev.Data)
	switch {
	case hasTrace:
		r.traceID = callerTrace
	case ev.ParentID != "":
		r.traceID = p.traceOf(ev.ParentID)
	default:
		r.traceID = TraceIDFor(id)
	}
	switch {
	case ev.ParentID != "":
		r.parent = SpanIDFor(ev.ParentID)
	case hasTrace && hasSpan:
		r.parent, r.remote = callerSpan, true
	}
	r.startAttrs = startAttributes(ev.Data)
	p.touched[id] = r
	p.open++
	p.touchAncestors(ev.ParentID, r.seen)
}

// traceOf returns the trace of the open execution id, or, when it is not
// open here (its start was filtered out, refused or dropped), the trace it
// would have if it were a top-level execution: siblings still share a trace.
func (p *pass) traceOf(id string) trace.TraceID {
	if r := p.lookup(id); r != nil {
		return r.traceID
	}
	return TraceIDFor(id)
}

func (p *pass) token(ev *events.Event) {
	r := p.mutable(ev.ExecutionID, p.at(ev))
	if r == nil {
		p.counts.ignored++
		return
	}
	r.tokens++
	if r.tokens == 1 {
		r.firstToken = ev.Timestamp
	}
	r.lastToken = ev.Timestamp
	r.last = later(r.last, ev.Timestamp)
	if p.t.tokenEvents {
		p.addEvent(r, spanEvent{name: "token", at: ev.Timestamp, attrs: appendData(nil, ev.Data, nil)})
	}
}

func (p *pass) custom(ev *events.Event) {
	r := p.mutable(ev.ExecutionID, p.at(ev))
	if r == nil {
		p.counts.ignored++
		return
	}
	r.last = later(r.last, ev.Timestamp)
	attrs := appendData(make([]attribute.KeyValue, 0, len(ev.Data)+1), ev.Data, nil)
	if ev.EventID != "" {
		attrs = append(attrs, attribute.String(attrEventID, ev.EventID))
	}
	p.addEvent(r, spanEvent{name: string(ev.EventType), at: ev.Timestamp, attrs: attrs})
}

func (p *pass) addEvent(r *record, e spanEvent) {
	if p.t.maxEvents < 0 || len(r.events) >= p.t.maxEvents {
		r.dropped++
		p.counts.eventsDropped++
		return
	}
	// The original record's slice may share this backing array, but only up
	// to its own length, which appending never touches.
	r.events = append(r.events, e)
}

func (p *pass) end(ev *events.Event) {
	id := ev.ExecutionID
	e := endingOf(ev)
	r := p.lookup(id)
	if r == nil {
		if p.isGone(id) {
			p.counts.ignored++ // its span was already exported as incomplete
			return
		}
		r = p.fromEnd(ev, e)
		p.counts.withoutStart++
	} else {
		p.touched[id] = nil
		p.open--
	}
	p.finished = append(p.finished, finished{r: r, end: e})
	p.touchAncestors(ev.ParentID, p.at(ev))
}

// fromEnd makes the record of an execution whose start this sink never
// held: its span starts duration_seconds before its end.
func (p *pass) fromEnd(ev *events.Event, e *ending) *record {
	start := ev.Timestamp
	if e.duration > 0 {
		start = ev.Timestamp.Add(-time.Duration(e.duration * float64(time.Second)))
	}
	r := &record{
		id:        ev.ExecutionID,
		parentID:  ev.ParentID,
		spanID:    SpanIDFor(ev.ExecutionID),
		operation: ev.Operation,
		module:    ev.ModuleName,
		method:    ev.MethodName,
		tags:      ev.Tags,
		start:     start,
		last:      ev.Timestamp,
		genAIOp:   e.genAIOp,
		model:     e.model,
	}
	if ev.ParentID != "" {
		r.traceID = p.traceOf(ev.ParentID)
		r.parent = SpanIDFor(ev.ParentID)
	} else {
		r.traceID = TraceIDFor(ev.ExecutionID)
	}
	return r
}

// expire ends, as incomplete, the executions that have been quiet for the
// tracker's timeout, in stream time.
func (p *pass) expire() {
	deadline := p.clock.Add(-p.t.after)
	for r := p.t.head; r != nil && !r.seen.After(deadline); r = r.next {
		if _, touched := p.touched[r.id]; touched {
			continue // active in this pass, or already ended by it
		}
		p.abandon(r, incompleteTimeout)
	}
}

// closeAll ends every open execution as incomplete.
func (p *pass) closeAll() {
	for r := p.t.head; r != nil; r = r.next {
		if _, touched := p.touched[r.id]; !touched {
			p.abandon(r, incompleteClosed)
		}
	}
	for _, r := range p.touched {
		if r != nil { // started or active in this pass
			p.abandon(r, incompleteClosed)
		}
	}
}

func (p *pass) abandon(r *record, why string) {
	p.touched[r.id] = nil
	p.open--
	p.gone = append(p.gone, r.id)
	p.finished = append(p.finished, finished{r: r, incomplete: why})
	p.counts.incomplete++
}

// endingOf reads what an end or error event adds to its span.
func endingOf(ev *events.Event) *ending {
	e := &ending{
		at:      ev.Timestamp,
		eventID: ev.EventID,
		failed:  ev.EventType == events.TypeError,
		errType: stringData(ev.Data, events.KeyErrorType),
		errMsg:  stringData(ev.Data, events.KeyErrorMessage),
		kind:    stringData(ev.Data, keyErrorKind),
		genAIOp: stringData(ev.Data, events.KeyGenAIOperationName),
		model:   stringData(ev.Data, events.KeyGenAIRequestModel),
	}
	if e.model == "" {
		e.model = stringData(ev.Data, events.KeyGenAIResponseModel)
	}
	e.duration, _ = number(ev.Data[events.KeyDurationSeconds])
	e.ttft, e.hasTTFT = number(ev.Data[keyTimeToFirstToken])
	e.attrs = endAttributes(ev.Data)
	return e
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func stringData(data map[string]any, key string) string {
	s, _ := data[key].(string)
	return s
}

// number reads a numeric data value as a float64.
func number(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}

func traceIDData(data map[string]any) (trace.TraceID, bool) {
	s, ok := data[events.KeyTraceID].(string)
	if !ok {
		return trace.TraceID{}, false
	}
	id, err := trace.TraceIDFromHex(s)
	return id, err == nil
}

func spanIDData(data map[string]any) (trace.SpanID, bool) {
	s, ok := data[events.KeyParentSpanID].(string)
	if !ok {
		return trace.SpanID{}, false
	}
	id, err := trace.SpanIDFromHex(s)
	return id, err == nil
}
