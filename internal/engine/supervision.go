package engine

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// HandleFailure makes the router the supervisor of its hosts. A host fails
// when its driver panicked (the writer recovers the panic and the host
// re-raises it, so that protoactor suspends the host and asks here); the
// sink's own supervisor.Policy decides. The decision is handed to the host
// with a message queued before protoactor restarts or resumes it, and the
// host carries it out on its own goroutine. It runs on the router's goroutine.
func (r *router) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID, _ *actor.RestartStatistics, reason, _ any) {
	for _, h := range r.hosts {
		if h.pid == nil || !h.pid.Equal(child) {
			continue
		}
		crash, ok := reason.(*supervisor.Crash)
		if !ok {
			// The host itself panicked, not its driver: a bug of ours, but
			// the policy still applies.
			crash = &supervisor.Crash{Sink: h.name, Value: fmt.Sprintf("host: %v", reason)}
		}
		d := h.restarts.Crashed(time.Now(), crash)
		if d.Directive == supervisor.Stop {
			if d.GaveUp {
				h.logger.Error("sink restart limit exceeded; stopping it", "reason", sinks.Redact(crash.Error()))
			}
			sup.StopChildren(child)
			return
		}
		h.decision.Store(&d)
		r.root.Send(child, decided{})
		if d.Directive == supervisor.Resume {
			sup.ResumeChildren(child)
		} else {
			sup.RestartChildren(child)
		}
		return
	}
	sup.StopChildren(child)
}
