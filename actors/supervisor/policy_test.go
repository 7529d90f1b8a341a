package supervisor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/supervisor"
)

func TestRestarts(t *testing.T) {
	backoff := supervisor.Retry{InitialInterval: 10 * time.Millisecond, MaxInterval: 40 * time.Millisecond, NoJitter: true}
	cases := []struct {
		name      string
		policy    supervisor.Policy
		gaps      []time.Duration // time between panics
		did       string
		delays    string
		lastGave  bool
		lastPause bool
	}{
		{"restarts with growing backoff, then stops", supervisor.Policy{MaxRestarts: 3, Backoff: backoff},
			[]time.Duration{0, 1, 1, 1}, "[restart restart restart stop]", "[10ms 20ms 40ms 0s]", true, false},
		{"pauses instead of stopping", supervisor.Policy{MaxRestarts: 1, Backoff: backoff, OnGiveUp: supervisor.PauseSink},
			[]time.Duration{0, 1}, "[restart restart]", "[10ms 0s]", true, true},
		{"negative MaxRestarts gives up at once", supervisor.Policy{MaxRestarts: -1},
			[]time.Duration{0}, "[stop]", "[0s]", true, false},
		{"panics older than the window no longer count", supervisor.Policy{MaxRestarts: 2, Window: time.Minute, Backoff: backoff},
			[]time.Duration{0, time.Second, 2 * time.Minute, time.Second}, "[restart restart restart restart]", "[10ms 20ms 10ms 20ms]", false, false},
		{"the window slides: two in the last minute of three", supervisor.Policy{MaxRestarts: 2, Window: time.Minute, Backoff: backoff},
			[]time.Duration{0, 40 * time.Second, 30 * time.Second, 1}, "[restart restart restart stop]", "[10ms 20ms 40ms 0s]", true, false},
		{"decider resumes, with backoff and within the limit", supervisor.Policy{MaxRestarts: 2, Backoff: backoff,
			Decide: func(*supervisor.Crash) supervisor.Directive { return supervisor.Resume }},
			[]time.Duration{0, 1, 1}, "[resume resume stop]", "[10ms 20ms 0s]", true, false},
		{"a panicking decider stops the sink", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { panic("bug in Decide") }},
			[]time.Duration{0}, "[stop]", "[0s]", false, false},
		{"an unknown directive stops the sink", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { return 42 }},
			[]time.Duration{0}, "[stop]", "[0s]", false, false},
		{"decider stops", supervisor.Policy{Decide: func(*supervisor.Crash) supervisor.Directive { return supervisor.Stop }},
			[]time.Duration{0}, "[stop]", "[0s]", false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := supervisor.NewRestarts(c.policy)
			now := time.Unix(1_700_000_000, 0)
			var did []string
			var delays []time.Duration
			var last supervisor.Decision
			for i, gap := range c.gaps {
				now = now.Add(gap)
				last = r.Crashed(now, &supervisor.Crash{Sink: "sink", Value: i})
				did = append(did, last.Directive.String())
				delays = append(delays, last.Delay)
			}
			if fmt.Sprint(did) != c.did || fmt.Sprint(delays) != c.delays {
				t.Errorf("did %v with delays %v, want %s with %s", did, delays, c.did, c.delays)
			}
			if last.GaveUp != c.lastGave || last.Paused != c.lastPause || last.Reason.Value != len(c.gaps)-1 {
				t.Errorf("last decision = %+v", last)
			}
		})
	}
}
