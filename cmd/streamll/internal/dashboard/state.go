package dashboard

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/streamll/streamll-go/events"
)

// Limits that keep the dashboard's memory bounded whatever the event rate.
const (
	// maxTokenText is how much of an execution's streamed text is kept;
	// later tokens are counted, and the text ends with "…".
	maxTokenText = 2000
	// maxTagKeys and maxTagValues bound the usage table; values past the
	// limit are added up under otherValue.
	maxTagKeys   = 32
	maxTagValues = 1000
	otherValue   = "(other)"
	// maxRecentErrors is how many recent errors the page lists.
	maxRecentErrors = 20
	// rateWindow is how many seconds of events/s the chart shows, and
	// errorWindow the seconds the error rate is computed over.
	rateWindow  = 180
	errorWindow = 60
	// usageRows is how many rows of each tag key a page gets (the largest).
	usageRows = 50
)

// execution is what the page shows of one execution.
type execution struct {
	ID         string            `json:"id"`
	Parent     string            `json:"parent,omitempty"`
	Module     string            `json:"module,omitempty"`
	Method     string            `json:"method,omitempty"`
	Operation  string            `json:"op,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	Status     string            `json:"status"`                // running, ok, error
	Start      int64             `json:"start,omitempty"`       // ms since the epoch, from the event
	TTFT       float64           `json:"ttft_ms,omitempty"`     // time to first token
	Duration   float64           `json:"duration_ms,omitempty"` // once it ended
	Tokens     string            `json:"tokens,omitempty"`      // in a delta: the text added since the last one
	TokenCount int               `json:"token_count,omitempty"`
	Truncated  bool              `json:"truncated,omitempty"` // the text passed maxTokenText
	In         float64           `json:"in,omitempty"`
	Out        float64           `json:"out,omitempty"`
	Model      string            `json:"model,omitempty"`
	Error      string            `json:"error,omitempty"`
	Events     int               `json:"events"`

	text     strings.Builder // all the text kept
	sent     int             // bytes of text the pages have
	seen     bool            // sent to the pages at least once
	dirty    bool
	start    time.Time
	firstTok time.Time
}

// usage adds up one tag value's executions.
type usage struct {
	Value      string  `json:"value"`
	Executions int     `json:"executions"`
	In         float64 `json:"in"`
	Out        float64 `json:"out"`
	Errors     int     `json:"errors"`
	Tokens     int     `json:"tokens"` // token events
}

// recentError is one line of the page's error list.
type recentError struct {
	At        int64  `json:"at"`
	Execution string `json:"id"`
	Operation string `json:"op"`
	Module    string `json:"module,omitempty"`
	Type      string `json:"type,omitempty"`
	Message   string `json:"message"`
}

// totals count everything read since the dashboard started.
type totals struct {
	Events     uint64 `json:"events"`
	Executions uint64 `json:"executions"`
	Errors     uint64 `json:"errors"`
	Tokens     uint64 `json:"tokens"`
	Invalid    uint64 `json:"invalid"`
}

// shed says what the dashboard left out, so the page can say so.
type shed struct {
	// Executions counts executions dropped from memory before any page saw
	// them.
	Executions uint64 `json:"executions"`
	// Sampled counts deltas in which token text was sent for only some of
	// the executions streaming, the rest following later.
	Sampled uint64 `json:"sampled"`
	// TokenText counts tokens whose text was not kept (past maxTokenText).
	TokenText uint64 `json:"token_text"`
	// Last is when the dashboard last shed, in ms since the epoch.
	Last int64 `json:"last,omitempty"`
}

// state is everything the dashboard knows. It is not safe for concurrent
// use; Server guards it.
type state struct {
	maxExecutions int
	maxTokenRows  int // executions whose token text one delta carries
	maxDeltaExecs int // executions one delta carries
	execs         map[string]*execution
	order         []string // ids in the order they were first seen, oldest first
	removed       []string // evicted since the last delta
	usage         map[string]map[string]*usage
	usageDirty    bool
	errors        []recentError
	errorsDirty   bool
	totals        totals
	shed          shed
	rate          map[int64]int    // events per second, by unix second
	ends          map[int64][2]int // executions ended and failed, by unix second
	rateDirty     map[int64]bool
	firstTS       int64 // event times of what the next delta carries
	lastTS        int64
	readLag       float64 // the most an event of the next delta took to reach the dashboard, ms
	now           func() time.Time
}

func newState(maxExecutions int, now func() time.Time) *state {
	return &state{
		maxExecutions: maxExecutions,
		maxTokenRows:  50,
		maxDeltaExecs: 300,
		execs:         map[string]*execution{},
		usage:         map[string]map[string]*usage{},
		rate:          map[int64]int{},
		ends:          map[int64][2]int{},
		rateDirty:     map[int64]bool{},
		now:           now,
	}
}

// add folds one event into the state.
func (s *state) add(ev *events.Event) {
	s.totals.Events++
	sec := s.now().Unix()
	s.rate[sec]++
	s.rateDirty[sec] = true
	ts := ev.Timestamp.UnixMilli()
	if s.firstTS == 0 || ts < s.firstTS {
		s.firstTS = ts
	}
	s.lastTS = max(s.lastTS, ts)
	s.readLag = max(s.readLag, ms(s.now().Sub(ev.Timestamp)))

	x := s.execution(ev)
	x.Events++
	x.dirty = true
	switch ev.EventType {
	case events.TypeStart:
		s.totals.Executions++
		x.Status = "running"
		x.start = ev.Timestamp
		x.Start = ts
		if m, ok := ev.Data[events.KeyGenAIRequestModel].(string); ok {
			x.Model = m
		}
		s.eachTag(ev, func(u *usage) { u.Executions++ })
	case events.TypeToken:
		s.totals.Tokens++
		x.TokenCount++
		if x.firstTok.IsZero() {
			x.firstTok = ev.Timestamp
			if !x.start.IsZero() {
				x.TTFT = ms(ev.Timestamp.Sub(x.start))
			}
		}
		tok, _ := ev.Data[events.KeyToken].(string)
		s.appendText(x, tok)
		s.eachTag(ev, func(u *usage) { u.Tokens++ })
	case events.TypeEnd, events.TypeError:
		x.Status = "ok"
		if sec, ok := ev.Data[events.KeyDurationSeconds].(float64); ok {
			x.Duration = sec * 1000
		} else if !x.start.IsZero() {
			x.Duration = ms(ev.Timestamp.Sub(x.start))
		}
		in, _ := ev.Data[events.KeyGenAIUsageInputTokens].(float64)
		out, _ := ev.Data[events.KeyGenAIUsageOutputTokens].(float64)
		x.In += in
		x.Out += out
		if m, ok := ev.Data[events.KeyGenAIResponseModel].(string); ok {
			x.Model = m
		}
		failed := ev.EventType == events.TypeError
		e := s.ends[sec]
		e[0]++
		if failed {
			e[1]++
		}
		s.ends[sec] = e
		if failed {
			s.totals.Errors++
			x.Status = "error"
			x.Error = errorText(ev)
			s.errors = append(s.errors, recentError{At: ts, Execution: ev.ExecutionID, Operation: ev.Operation,
				Module: ev.ModuleName, Type: str(ev.Data[events.KeyErrorType]), Message: str(ev.Data[events.KeyErrorMessage])})
			if len(s.errors) > maxRecentErrors {
				s.errors = slices.Delete(s.errors, 0, len(s.errors)-maxRecentErrors)
			}
			s.errorsDirty = true
		}
		s.eachTag(ev, func(u *usage) {
			u.In += in
			u.Out += out
			if failed {
				u.Errors++
			}
		})
	}
}

// execution returns the execution of ev, creating it (and evicting the
// oldest beyond the limit) on its first event.
func (s *state) execution(ev *events.Event) *execution {
	id := ev.ExecutionID
	if x := s.execs[id]; x != nil {
		if x.Parent == "" {
			x.Parent = ev.ParentID
		}
		return x
	}
	x := &execution{ID: id, Parent: ev.ParentID, Module: ev.ModuleName, Method: ev.MethodName,
		Operation: ev.Operation, Tags: ev.Tags, Status: "running"}
	if ev.EventType != events.TypeStart {
		// Its start came before the dashboard did, or was not read.
		x.Start = ev.Timestamp.UnixMilli()
	}
	s.execs[id] = x
	s.order = append(s.order, id)
	for len(s.order) > s.maxExecutions {
		old := s.order[0]
		s.order = s.order[1:]
		if gone := s.execs[old]; gone != nil {
			if !gone.seen {
				s.shed.Executions++
				s.shed.Last = s.now().UnixMilli()
			} else {
				s.removed = append(s.removed, old)
			}
			delete(s.execs, old)
		}
	}
	if cap(s.order) > 4*s.maxExecutions { // let the slice's head be collected
		s.order = slices.Clone(s.order)
	}
	return x
}

func (s *state) appendText(x *execution, tok string) {
	if x.Truncated {
		s.shed.TokenText++
		return
	}
	if x.text.Len()+len(tok) > maxTokenText {
		cut := maxTokenText - x.text.Len()
		for cut > 0 && !utf8.RuneStart(tok[cut]) {
			cut--
		}
		x.text.WriteString(tok[:max(cut, 0)])
		x.text.WriteString("…")
		x.Truncated = true
		s.shed.TokenText++
		return
	}
	x.text.WriteString(tok)
}

// eachTag calls f with the usage of each of ev's tags.
func (s *state) eachTag(ev *events.Event, f func(*usage)) {
	for k, v := range ev.Tags {
		byValue := s.usage[k]
		if byValue == nil {
			if len(s.usage) >= maxTagKeys {
				continue
			}
			byValue = map[string]*usage{}
			s.usage[k] = byValue
		}
		u := byValue[v]
		if u == nil {
			if len(byValue) >= maxTagValues {
				v = otherValue
			}
			if u = byValue[v]; u == nil {
				u = &usage{Value: v}
				byValue[v] = u
			}
		}
		f(u)
		s.usageDirty = true
	}
}

// delta is what the pages get when something changed.
type delta struct {
	Seq        uint64             `json:"seq"`
	Sent       int64              `json:"sent"`                  // ms since the epoch, when built
	FirstTS    int64              `json:"first_ts,omitempty"`    // earliest event time folded in
	LastTS     int64              `json:"last_ts,omitempty"`     // latest
	ReadLag    float64            `json:"read_lag_ms,omitempty"` // the most an event took from its timestamp to the dashboard
	Executions []*execution       `json:"executions,omitempty"`
	Removed    []string           `json:"removed,omitempty"`
	Rate       [][2]int64         `json:"rate,omitempty"` // [unix second, events]
	ErrorRate  *errorRate         `json:"error_rate,omitempty"`
	Usage      map[string][]usage `json:"usage,omitempty"`
	Errors     []recentError      `json:"errors,omitempty"`
	Totals     totals             `json:"totals"`
	Shed       shed               `json:"shed"`
	Pending    int                `json:"pending,omitempty"` // executions changed but held for the next delta
	Health     *healthView        `json:"health,omitempty"`
	Source     *sourceView        `json:"source,omitempty"`
	Snapshot   bool               `json:"snapshot,omitempty"`
	Limits     map[string]int     `json:"limits,omitempty"`
	_          struct{}           `json:"-"`
}

// errorRate is the share of executions that failed over the last minute.
type errorRate struct {
	Window int `json:"window_s"`
	Ended  int `json:"ended"`
	Failed int `json:"failed"`
}

// takeDelta returns what changed since the last delta, or nil if nothing
// did, and marks it sent. Token text goes out for at most maxTokenRows
// executions per delta, the others' following in later deltas; at most
// maxDeltaExecs executions are sent, the most recently started first.
func (s *state) takeDelta(seq uint64) *delta {
	now := s.now()
	d := &delta{Seq: seq, Sent: now.UnixMilli(), FirstTS: s.firstTS, LastTS: s.lastTS, ReadLag: s.readLag, Totals: s.totals}
	var dirty []*execution
	for _, id := range s.order {
		if x := s.execs[id]; x != nil && x.dirty {
			dirty = append(dirty, x)
		}
	}
	changed := len(dirty) > 0 || len(s.removed) > 0 || len(s.rateDirty) > 0 || s.usageDirty || s.errorsDirty
	if !changed {
		return nil
	}
	if len(dirty) > s.maxDeltaExecs {
		d.Pending = len(dirty) - s.maxDeltaExecs
		dirty = dirty[len(dirty)-s.maxDeltaExecs:] // the newest
	}
	withText := 0
	sampled := false
	for _, x := range dirty {
		hasText := x.text.Len() > x.sent
		if hasText && withText >= s.maxTokenRows {
			sampled = true
			continue // stays dirty: its text follows in a later delta
		}
		view := *x
		view.Tokens = ""
		if hasText {
			withText++
			view.Tokens = x.text.String()[x.sent:]
			x.sent = x.text.Len()
		}
		if x.seen {
			view.Tags = nil // the page has them
		}
		x.seen, x.dirty = true, false
		d.Executions = append(d.Executions, &view)
	}
	if sampled {
		s.shed.Sampled++
		s.shed.Last = now.UnixMilli()
	}
	d.Removed, s.removed = s.removed, nil
	for sec := range s.rateDirty {
		d.Rate = append(d.Rate, [2]int64{sec, int64(s.rate[sec])})
	}
	slices.SortFunc(d.Rate, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	clear(s.rateDirty)
	s.trim(now.Unix())
	d.ErrorRate = s.errorRate(now.Unix())
	if s.usageDirty {
		d.Usage = s.usageView()
		s.usageDirty = false
	}
	if s.errorsDirty {
		d.Errors = slices.Clone(s.errors)
		s.errorsDirty = false
	}
	d.Shed = s.shed
	s.firstTS, s.lastTS, s.readLag = 0, 0, 0
	return d
}

// snapshot is everything, for a page that just connected.
func (s *state) snapshot(seq uint64) *delta {
	now := s.now()
	d := &delta{Seq: seq, Sent: now.UnixMilli(), Totals: s.totals, Shed: s.shed, Snapshot: true,
		Limits: map[string]int{"executions": s.maxExecutions, "token_text": maxTokenText}}
	for _, id := range s.order {
		if x := s.execs[id]; x != nil {
			view := *x
			view.Tokens = x.text.String()[:x.sent] // what later deltas go on from
			d.Executions = append(d.Executions, &view)
		}
	}
	for sec, n := range s.rate {
		d.Rate = append(d.Rate, [2]int64{sec, int64(n)})
	}
	slices.SortFunc(d.Rate, func(a, b [2]int64) int { return cmp.Compare(a[0], b[0]) })
	d.ErrorRate = s.errorRate(now.Unix())
	d.Usage = s.usageView()
	d.Errors = slices.Clone(s.errors)
	return d
}

func (s *state) usageView() map[string][]usage {
	out := make(map[string][]usage, len(s.usage))
	for k, byValue := range s.usage {
		rows := make([]usage, 0, len(byValue))
		for _, u := range byValue {
			rows = append(rows, *u)
		}
		slices.SortFunc(rows, func(a, b usage) int {
			if c := cmp.Compare(b.In+b.Out, a.In+a.Out); c != 0 {
				return c
			}
			if c := cmp.Compare(b.Executions, a.Executions); c != 0 {
				return c
			}
			return strings.Compare(a.Value, b.Value)
		})
		out[k] = rows[:min(len(rows), usageRows)]
	}
	return out
}

func (s *state) errorRate(now int64) *errorRate {
	r := &errorRate{Window: errorWindow}
	for sec, e := range s.ends {
		if sec > now-errorWindow {
			r.Ended += e[0]
			r.Failed += e[1]
		}
	}
	return r
}

// trim forgets the seconds the chart and the error rate no longer show.
func (s *state) trim(now int64) {
	for sec := range maps.Keys(s.rate) {
		if sec <= now-rateWindow {
			delete(s.rate, sec)
		}
	}
	for sec := range maps.Keys(s.ends) {
		if sec <= now-errorWindow {
			delete(s.ends, sec)
		}
	}
}

func errorText(ev *events.Event) string {
	typ, msg := str(ev.Data[events.KeyErrorType]), str(ev.Data[events.KeyErrorMessage])
	switch {
	case typ != "" && msg != "":
		return typ + ": " + msg
	case msg != "":
		return msg
	}
	return typ
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
