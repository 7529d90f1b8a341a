package engine

import (
	"runtime"
	"time"
	"unsafe"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// router is the actor every event goes through. It takes events from the
// intake in turns, copies each to the heap, and hands it to every host whose
// filter accepts it, in chunks. Hosts are its children: their failures come
// to it (see supervision.go), and it learns when one terminates.
//
// The router is woken by the first event after it went idle. With a linger
// configured it then waits that long before it takes anything, so that at
// the rates services really run one turn carries many events and every hop
// after it (a host's wake-up, a Write, a round trip to the backend) is paid
// once per turn, not once per event. A backlog of half the intake cuts the
// linger short, and so do an Emit once the linger is due (see lingerEarly),
// Flush and Close.
type router struct {
	in      *intake
	alarm   *time.Timer // the linger's: see Engine.Emit
	clock   *monoClock
	now     wallAt // the clock at this turn, for the events' times
	hosts   []*host
	pending [][]*events.Event // per host: gathered in this turn, not yet handed over
	touched []bool            // per host: handed something in this turn

	self  *actor.PID
	root  *actor.RootContext
	ready chan struct{} // closed once the hosts are spawned

	flushes   []flushReq // waiting for the router to read past their position
	forwarded []flushReq // sent to the hosts, not yet answered by all
	draining  *drainReq  // Close's request, once it arrived
	drained   bool       // the drain has been forwarded to the hosts
}

// Messages the router handles.
type (
	wakeUrgent struct{} // from a producer: route now (the intake is half full, or no linger)
	lingerDone struct{} // the linger a producer armed ended
	more       struct{} // the router's own: take another turn
)

// turnLimit bounds the events one turn takes, so that control messages
// (Flush, Close, supervision) are never queued behind a long backlog.
const turnLimit = 1024

func (r *router) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case lingerDone:
		// A timer that fired after an urgent wake-up began the turn (or
		// early, for a linger re-armed since) changes nothing that matters.
		if r.in.wake.v.Load() == routerLingering {
			r.turn()
		}
	case more:
		r.turn()
	case wakeUrgent:
		r.cutShort()
	case flushReq:
		r.flushes = append(r.flushes, msg)
		r.cutShort()
	case drainReq:
		r.draining = &msg
		r.cutShort()
	case *actor.Terminated:
		r.terminated(msg.Who)
	case *actor.Started:
		if r.self != nil {
			return // a restarted router keeps its hosts' state
		}
		r.self, r.root = ctx.Self(), ctx.ActorSystem().Root
		for _, h := range r.hosts {
			pid, err := ctx.SpawnNamed(h.props(), h.name)
			if err != nil {
				// Names are unique within a bus and the system is ours, so
				// this cannot happen; spawn under a generated name anyway.
				pid = ctx.Spawn(h.props())
			}
			h.pid = pid
		}
		close(r.ready)
	}
}

// cutShort takes a turn before the linger's timer, if one is armed, has
// fired: the timer is stopped, for firing later it would cut the next linger
// short or wake the router for nothing.
func (r *router) cutShort() {
	r.alarm.Stop()
	r.turn()
}

// turn takes what the intake holds, up to turnLimit, routes it, and then
// either goes on or parks.
func (r *router) turn() {
	r.in.wake.v.Store(routerRunning)
	r.now = r.clock.turn()
	r.in.take(turnLimit, r.route)
	r.handOver()
	r.barriers()
	switch {
	case r.in.ready():
		r.root.Send(r.self, more{})
	case r.in.backlog() > 0:
		// A producer claimed a slot and is filling it (it cannot be
		// preempted while it does): look again right away.
		r.root.Send(r.self, more{})
	default:
		r.in.wake.due.Store(noDue)
		r.in.wake.v.Store(routerIdle)
		// A producer that filled a slot while the router was still running
		// did not wake it: look once more before parking.
		if r.in.ready() && r.in.wake.v.CompareAndSwap(routerIdle, routerRunning) {
			r.root.Send(r.self, more{})
		}
	}
}

// emitted is an event on the heap with room for the bytes of a generated
// EventID, so that one allocation holds both.
type emitted struct {
	events.Event
	id [events.IDLength]byte
}

// route copies the event in s to the heap and gathers it for every host
// that accepts it.
func (r *router) route(s *slot) {
	e := &emitted{Event: s.ev}
	if s.at != 0 {
		e.Timestamp = r.now.at(s.at)
	}
	if s.newID {
		events.PutID(&e.id)
		e.EventID = unsafe.String(&e.id[0], events.IDLength)
	}
	ev := &e.Event
	for i, h := range r.hosts {
		if !h.accepts(ev) {
			continue
		}
		if h.life.over() {
			h.count.refuse(sinks.DropSinkStopped, 1)
			continue
		}
		p := r.pending[i]
		if p == nil {
			p = h.chunk()
		}
		p = append(p, ev)
		r.pending[i] = p
		if len(p) == chunkSize {
			r.hand(i)
		}
	}
}

// chunk returns an empty chunk, reusing one the host gave back.
func (h *host) chunk() []*events.Event {
	select {
	case c := <-h.free:
		return c
	default:
		return make([]*events.Event, 0, chunkSize)
	}
}

// hand gives host i the chunk gathered for it. A host whose inbox is full
// (its actor gets no CPU to take it) loses the chunk, counted as overflow:
// the router never waits for a host.
func (r *router) hand(i int) {
	h, chunk := r.hosts[i], r.pending[i]
	r.pending[i] = nil
	if len(chunk) == 0 {
		return
	}
	h.count.received.Add(uint64(len(chunk)))
	if h.inTransit()+uint64(len(chunk)) > h.inboxMax {
		r.overflow(h, chunk)
		return
	}
	select {
	case h.inbox <- chunk:
		h.routed.Add(uint64(len(chunk)))
		r.touched[i] = true
		if h.life.over() {
			reclaim(h) // the host stopped as the chunk went in: count it here
		}
	default:
		r.overflow(h, chunk)
	}
}

// overflow counts a chunk the host had no room for and recycles it.
func (r *router) overflow(h *host, chunk []*events.Event) {
	h.count.drop(sinks.DropOverflow, len(chunk))
	clear(chunk)
	select {
	case h.free <- chunk[:0]:
	default:
	}
}

// reclaim empties the inbox of a host that stopped, counting what it held.
func reclaim(h *host) {
	for {
		select {
		case chunk := <-h.inbox:
			h.taken.Add(uint64(len(chunk)))
			h.count.drop(sinks.DropSinkStopped, len(chunk))
		default:
			return
		}
	}
}

// handOver gives every host what was gathered for it in this turn and
// wakes those that were handed something. When a host's inbox is filling
// up, the router yields its processor: under a flood the router would
// otherwise run turn after turn while the host it just woke waits behind it
// for the same processor, and its inbox overflows.
func (r *router) handOver() {
	crowded := false
	for i, h := range r.hosts {
		r.hand(i)
		if r.touched[i] {
			r.touched[i] = false
			if h.signaled.CompareAndSwap(false, true) {
				r.root.Send(h.pid, inboxReady{})
			}
			crowded = crowded || h.inTransit() > h.inboxMax/4 || len(h.inbox) > cap(h.inbox)/4
		}
	}
	if crowded {
		runtime.Gosched()
	}
}

// barriers forwards to the hosts the flushes and the drain whose position
// the router has read past.
func (r *router) barriers() {
	read := r.in.read()
	keep := r.flushes[:0]
	for _, f := range r.flushes {
		if read < f.upTo {
			keep = append(keep, f)
			continue
		}
		for _, h := range r.hosts {
			if h.life.over() {
				f.t.done(h.index)
			} else {
				r.root.Send(h.pid, f)
			}
		}
		r.forwarded = append(r.forwarded, f)
	}
	clear(r.flushes[len(keep):])
	r.flushes = keep
	// Forget flushes every host has answered.
	fw := r.forwarded[:0]
	for _, f := range r.forwarded {
		if !f.t.complete() {
			fw = append(fw, f)
		}
	}
	clear(r.forwarded[len(fw):])
	r.forwarded = fw

	if d := r.draining; d != nil && !r.drained && read >= d.upTo {
		r.drained = true
		for _, h := range r.hosts {
			if h.life.over() {
				h.answerDrainTo(d.reply, drainResult{sink: h.name})
			} else {
				r.root.Send(h.pid, *d)
			}
		}
	}
}

// terminated answers, for a host that stopped, whatever it can no longer
// answer itself: requests still in its abandoned mailbox.
func (r *router) terminated(who *actor.PID) {
	for _, h := range r.hosts {
		if h.pid == nil || !h.pid.Equal(who) {
			continue
		}
		for _, f := range r.forwarded {
			f.t.done(h.index)
		}
		if r.drained {
			h.answerDrainTo(r.draining.reply, drainResult{sink: h.name})
		}
	}
}
