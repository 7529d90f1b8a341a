package supervisor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/streamll/streamll-go/actors/supervisor"
)

// fakeSupervisor records what a strategy asked of it.
type fakeSupervisor struct{ did []string }

func (f *fakeSupervisor) Children() []*actor.PID             { return nil }
func (f *fakeSupervisor) EscalateFailure(any, any)           { f.did = append(f.did, "escalate") }
func (f *fakeSupervisor) RestartChildren(pids ...*actor.PID) { f.did = append(f.did, "restart") }
func (f *fakeSupervisor) StopChildren(pids ...*actor.PID)    { f.did = append(f.did, "stop") }
func (f *fakeSupervisor) ResumeChildren(pids ...*actor.PID)  { f.did = append(f.did, "resume") }

func TestPolicyStrategy(t *testing.T) {
	backoff := supervisor.Retry{InitialInterval: 10 * time.Millisecond, MaxInterval: 40 * time.Millisecond, NoJitter: true}
	cases := []struct {
		name      string
		policy    supervisor.Policy
		failures  int
		did       string
		delays    string
		lastGave  bool
		lastPause bool
	}{
		{"restarts with growing backoff, then stops", supervisor.Policy{MaxRestarts: 3, Backoff: backoff}, 4,
			"[restart restart restart stop]", "[10ms 20ms 40ms 0s]", true, false},
		{"pauses instead of stopping", supervisor.Policy{MaxRestarts: 1, Backoff: backoff, OnGiveUp: supervisor.PauseSink}, 2,
			"[restart restart]", "[10ms 0s]", true, true},
		{"negative MaxRestarts gives up at once", supervisor.Policy{MaxRestarts: -1}, 1,
			"[stop]", "[0s]", true, false},
		{"decider resumes, with backoff and within the limit", supervisor.Policy{MaxRestarts: 2, Backoff: backoff,
			Decide: func(*supervisor.Crash) supervisor.Directive { return supervisor.Resume }}, 3,
			"[resume resume stop]", "[10ms 20ms 0s]", true, false},
		{"a panicking decider stops the sink", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { panic("bug in Decide") }}, 1,
			"[stop]", "[0s]", false, false},
		{"an unknown directive stops the sink", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { return 42 }}, 1,
			"[stop]", "[0s]", false, false},
		{"decider stops", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { return supervisor.Stop }}, 1,
			"[stop]", "[0s]", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var decisions []supervisor.Decision
			s := c.policy.Strategy(func(_ *actor.PID, d supervisor.Decision) { decisions = append(decisions, d) })
			sup := &fakeSupervisor{}
			rs := actor.NewRestartStatistics()
			child := actor.NewPID("nonhost", "router/sink")
			for i := range c.failures {
				s.HandleFailure(nil, sup, child, rs, &supervisor.Crash{Sink: "sink", Value: i}, nil)
			}
			var delays []time.Duration
			for _, d := range decisions {
				delays = append(delays, d.Delay)
			}
			if fmt.Sprint(sup.did) != c.did || fmt.Sprint(delays) != c.delays {
				t.Errorf("did %v with delays %v, want %s with %s", sup.did, delays, c.did, c.delays)
			}
			last := decisions[len(decisions)-1]
			if last.GaveUp != c.lastGave || last.Paused != c.lastPause || last.Reason.Value != c.failures-1 {
				t.Errorf("last decision = %+v", last)
			}
		})
	}
}

func TestPolicyStrategyWrapsForeignPanics(t *testing.T) {
	var got supervisor.Decision
	s := supervisor.Policy{}.Strategy(func(_ *actor.PID, d supervisor.Decision) { got = d })
	s.HandleFailure(nil, &fakeSupervisor{}, actor.NewPID("nonhost", "x"), actor.NewRestartStatistics(), "plain panic", nil)
	if got.Reason == nil || got.Reason.Value != "plain panic" {
		t.Errorf("reason = %+v", got.Reason)
	}
}
