package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/streamll/streamll-go/events"
)

// maxBody bounds a request the receiver reads: a batch of a few thousand
// events.
const maxBody = 32 << 20

// Receiver is the webhook's other end. It keeps each event once, however
// many times it is posted: a sink re-sends a batch whose delivery it could
// not see (a timeout, a connection lost before the answer), and the event
// ids tell the copies apart. It is safe for concurrent use.
type Receiver struct {
	// OnEvent, if set, is called with each new event, in arrival order.
	OnEvent func(events.Event)

	mu      sync.Mutex
	seen    map[string]bool
	events  []events.Event
	copies  int
	changed chan struct{}
}

// NewReceiver returns an empty receiver.
func NewReceiver() *Receiver {
	return &Receiver{seen: map[string]bool{}, changed: make(chan struct{}, 1)}
}

// ServeHTTP takes a POST of a JSON array of events and answers 204 once it
// has kept them, or 400 if the body is not such an array.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		http.Error(w, "POST a JSON array of events", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxBody))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		http.Error(w, "the body is not a JSON array: "+err.Error(), http.StatusBadRequest)
		return
	}
	batch := make([]events.Event, len(raws))
	for i, raw := range raws {
		if batch[i], err = events.Unmarshal(raw); err != nil {
			http.Error(w, fmt.Sprintf("event %d: %v", i, err), http.StatusBadRequest)
			return
		}
	}
	r.mu.Lock()
	for _, ev := range batch {
		if r.seen[ev.EventID] {
			r.copies++
			continue
		}
		r.seen[ev.EventID] = true
		r.events = append(r.events, ev)
		if r.OnEvent != nil {
			r.OnEvent(ev)
		}
	}
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
	w.WriteHeader(http.StatusNoContent)
}

// Events returns the events kept so far, in arrival order.
func (r *Receiver) Events() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]events.Event(nil), r.events...)
}

// Copies returns how many events were posted again and dropped.
func (r *Receiver) Copies() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.copies
}

// Changed is signalled, without blocking, after each request that kept
// events.
func (r *Receiver) Changed() <-chan struct{} { return r.changed }
