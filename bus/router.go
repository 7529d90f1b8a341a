package bus

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// route is one sink as the router sees it.
type route struct {
	host     *sinks.Host
	pid      *actor.PID
	strategy actor.SupervisorStrategy
	pending  []*events.Event // accepted, not yet posted to the host
}

// router is the actor every event goes through: it hands each event to every
// sink host whose filter accepts it. Hosts are its children; their failures
// come to it and are handled by each host's own supervision policy.
type router struct {
	routes  []route
	ready   chan struct{}
	mailbox actor.Mailbox
	drain   *sinks.Drain // set once Close has asked every host to drain
}

// chunkSize bounds the events the router hands a host in one message. While
// events keep arriving the router gathers them per host and posts them in
// chunks, which spares the host's mailbox (and its lock) one post per event;
// as soon as the router's own mailbox runs empty it posts what it has, so a
// quiet stream is not delayed.
const chunkSize = 64

// drainAll asks every host to drain; each answers on reply.
type drainAll struct{ drain *sinks.Drain }

func (r *router) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *events.Event:
		for i := range r.routes {
			rt := &r.routes[i]
			if !rt.host.Accepts(msg) {
				continue
			}
			if rt.host.Stopped() {
				rt.host.Refuse(sinks.DropSinkStopped)
				continue
			}
			rt.pending = append(rt.pending, msg)
			if len(rt.pending) == chunkSize {
				r.post(ctx, rt)
			}
		}
		if r.mailbox.UserMessageCount() == 0 {
			r.postAll(ctx)
		}
	case drainAll:
		r.postAll(ctx)
		r.drain = msg.drain
		for _, rt := range r.routes {
			if rt.host.Stopped() {
				rt.host.AnswerDrain(msg.drain, sinks.DrainResult{Sink: rt.host.Name()})
				continue
			}
			ctx.Send(rt.pid, msg.drain)
		}
	case *actor.Terminated:
		// A host stopped by its supervisor may never have seen the drain
		// request (a crashed host's mailbox is suspended, and stopping
		// abandons it): answer for it, unless it answered itself.
		for _, rt := range r.routes {
			if r.drain != nil && rt.pid != nil && rt.pid.Equal(msg.Who) {
				rt.host.AnswerDrain(r.drain, sinks.DrainResult{Sink: rt.host.Name()})
			}
		}
	case *actor.Started:
		if r.started() {
			// A restarted router keeps its hosts' state; protoactor stopped
			// the hosts themselves, and they counted what they held.
			return
		}
		for i := range r.routes {
			rt := &r.routes[i]
			pid, err := ctx.SpawnNamed(rt.host.Props(), rt.host.Name())
			if err != nil {
				// Names are unique within a bus and the system is ours, so
				// this cannot happen; spawn under a generated name anyway.
				pid = ctx.Spawn(rt.host.Props())
			}
			rt.pid = pid
			rt.strategy = rt.host.Strategy()
		}
		close(r.ready)
	}
}

// started reports whether the router has started before.
func (r *router) started() bool {
	select {
	case <-r.ready:
		return true
	default:
		return false
	}
}

// post hands a route's pending events to its host: a lone event as itself,
// more as a chunk the host takes over. Events gathered for a host that has
// stopped since are counted as dropped instead.
func (r *router) post(ctx actor.Context, rt *route) {
	if rt.host.Stopped() {
		for range rt.pending {
			rt.host.Refuse(sinks.DropSinkStopped)
		}
		rt.pending = rt.pending[:0]
		return
	}
	switch n := len(rt.pending); n {
	case 0:
		return
	case 1:
		rt.host.Routed(1)
		ctx.Send(rt.pid, rt.pending[0])
		rt.pending = rt.pending[:0] // the slice was not shared: reuse it
	default:
		rt.host.Routed(n)
		ctx.Send(rt.pid, rt.pending)
		rt.pending = nil
	}
}

func (r *router) postAll(ctx actor.Context) {
	for i := range r.routes {
		r.post(ctx, &r.routes[i])
	}
}

// HandleFailure makes the router the supervisor of its hosts: each child's
// failure goes to the strategy of that child's own policy, so every sink is
// supervised as its options say. It runs on the router's goroutine.
func (r *router) HandleFailure(system *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, rs *actor.RestartStatistics, reason, message any) {
	for _, rt := range r.routes {
		if rt.pid != nil && rt.pid.Equal(child) {
			rt.strategy.HandleFailure(system, sup, child, rs, reason, message)
			return
		}
	}
	sup.StopChildren(child)
}
