package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/streamll/streamll-go/events"
)

//go:embed assets
var assets embed.FS

// Defaults of Config.
const (
	DefaultMaxExecutions = 500
	DefaultFlush         = 50 * time.Millisecond
	DefaultHealthEvery   = time.Second
	// subscriberBuffer is how many deltas may wait for one page. While a
	// page has more than one waiting, no delta is made: changes add up in
	// the state and the next delta carries them all, so a slow page gets
	// fewer, larger updates instead of a growing queue.
	subscriberBuffer = 4
	// stuckAfter is how long a page may hold every update back before it is
	// disconnected (a background tab); its EventSource reconnects and starts
	// from a snapshot.
	stuckAfter = 5 * time.Second
	heartbeat  = 15 * time.Second
)

// Config configures a dashboard. The zero value is valid.
type Config struct {
	// Source names what is read, shown on the page; it must hold no
	// password.
	Source string
	// HealthURL, if set, is a bus's HealthHandler, polled every HealthEvery
	// for each sink's state, circuit, buffer and drops.
	HealthURL string
	// HealthEvery is how often HealthURL is read. Default 1s.
	HealthEvery time.Duration
	// MaxExecutions bounds the executions kept in memory and on the page.
	// Default 500.
	MaxExecutions int
	// Flush is the most often pages get an update. Default 50ms.
	Flush time.Duration
	// Logger receives problems serving pages. Default nil: silent.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Server aggregates events and serves the page and its live updates.
// Add may be called from one goroutine while pages are served.
type Server struct {
	cfg Config

	mu     sync.Mutex
	st     *state
	seq    uint64
	health *healthView
	source sourceView
	// sourceDirty and healthDirty mark what the next delta must carry.
	sourceDirty, healthDirty bool
	subs                     map[chan []byte]*subscriber
}

// subscriber is one connected page.
type subscriber struct {
	behindSince time.Time // when it last started holding updates back; zero if it keeps up
}

// sourceView is the state of the connection to the source.
type sourceView struct {
	Name  string `json:"name"`
	State string `json:"state"` // connecting, reading, lost
	Error string `json:"error,omitempty"`
}

// New returns a dashboard server. Call Run to start its updates.
func New(cfg Config) *Server {
	if cfg.MaxExecutions <= 0 {
		cfg.MaxExecutions = DefaultMaxExecutions
	}
	if cfg.Flush <= 0 {
		cfg.Flush = DefaultFlush
	}
	if cfg.HealthEvery <= 0 {
		cfg.HealthEvery = DefaultHealthEvery
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, st: newState(cfg.MaxExecutions, cfg.Now), subs: map[chan []byte]*subscriber{},
		source: sourceView{Name: cfg.Source, State: "connecting"}}
}

// Add folds events into what the pages show.
func (s *Server) Add(evs []*events.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ev := range evs {
		s.st.add(ev)
	}
}

// Invalid counts messages that were not events.
func (s *Server) Invalid(n uint64) {
	s.mu.Lock()
	s.st.totals.Invalid = n
	s.mu.Unlock()
}

// SourceState says how reading goes: "reading", or "lost" with the error.
func (s *Server) SourceState(state string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.source.State, s.source.Error = state, ""
	if err != nil {
		s.source.Error = err.Error()
	}
	s.sourceDirty = true
}

// Run sends updates to the pages until ctx ends, and polls HealthURL.
func (s *Server) Run(ctx context.Context) {
	var wg sync.WaitGroup
	if s.cfg.HealthURL != "" {
		wg.Go(func() { s.pollHealth(ctx) })
	}
	t := time.NewTicker(s.cfg.Flush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			s.mu.Lock()
			for ch := range s.subs {
				close(ch)
				delete(s.subs, ch)
			}
			s.mu.Unlock()
			wg.Wait()
			return
		case <-t.C:
			s.flush()
		}
	}
}

// flush sends what changed to every page, unless a page is still busy with
// earlier updates.
func (s *Server) flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushLocked(false)
}

// flushLocked is flush with s.mu held. With force (a page is joining, and
// its snapshot must start where the others' next update goes on) it sends
// even to busy pages, disconnecting one whose buffer is full.
func (s *Server) flushLocked(force bool) {
	now := s.cfg.Now()
	wait := false
	for ch, sub := range s.subs {
		if force {
			break
		}
		if len(ch) <= 1 {
			sub.behindSince = time.Time{}
			continue
		}
		if sub.behindSince.IsZero() {
			sub.behindSince = now
		}
		if now.Sub(sub.behindSince) > stuckAfter {
			close(ch)
			delete(s.subs, ch)
			continue
		}
		wait = true
	}
	if wait {
		return
	}
	d := s.st.takeDelta(s.seq + 1)
	if d == nil && !s.sourceDirty && !s.healthDirty {
		return
	}
	if d == nil {
		d = &delta{Seq: s.seq + 1, Sent: s.cfg.Now().UnixMilli(), Totals: s.st.totals, Shed: s.st.shed}
	}
	s.seq = d.Seq
	if s.sourceDirty {
		src := s.source
		d.Source = &src
		s.sourceDirty = false
	}
	if s.healthDirty {
		d.Health = s.health
		s.healthDirty = false
	}
	msg := sse("delta", d)
	for ch := range s.subs {
		select {
		case ch <- msg:
		default: // only when forced: the page reconnects from a snapshot
			close(ch)
			delete(s.subs, ch)
		}
	}
}

// Handler serves the page (/), its assets, the live updates (/events, as
// Server-Sent Events) and the current state as JSON (/state).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /events", s.serveEvents)
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, _ *http.Request) {
		s.mu.Lock()
		d := s.snapshotLocked()
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(d)
	})
	return mux
}

func (s *Server) snapshotLocked() *delta {
	d := s.st.snapshot(s.seq)
	src := s.source
	d.Source = &src
	d.Health = s.health
	return d
}

func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := make(chan []byte, subscriberBuffer)
	s.mu.Lock()
	s.flushLocked(true)
	first := sse("snapshot", s.snapshotLocked())
	s.subs[ch] = &subscriber{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if _, ok := s.subs[ch]; ok {
			delete(s.subs, ch)
			close(ch)
		}
		s.mu.Unlock()
	}()
	if _, err := w.Write(first); err != nil {
		return
	}
	flusher.Flush()
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(msg); err != nil {
				return
			}
			flusher.Flush()
		case <-beat.C:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return
			}
			flusher.Flush()
		}
	}
}

// sse frames v as one Server-Sent Event.
func sse(name string, v any) []byte {
	js, err := json.Marshal(v)
	if err != nil {
		js = []byte(`{}`)
	}
	b := make([]byte, 0, len(js)+len(name)+16)
	b = append(b, "event: "...)
	b = append(b, name...)
	b = append(b, "\ndata: "...)
	b = append(b, js...)
	return append(b, "\n\n"...)
}
