package supervisor_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/supervisor"
)

func TestBreaker(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	policy := supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 10 * time.Second}

	// Each step acts at a time; "allow" checks Allow's answer, the others
	// record a result. want is the state after the step.
	type step struct {
		at    time.Duration
		do    string
		allow bool
		want  supervisor.Circuit
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"closed tolerates fewer failures than the threshold", []step{
			{0, "fail", false, supervisor.Closed},
			{1, "fail", false, supervisor.Closed},
			{2, "ok", false, supervisor.Closed},
			{3, "fail", false, supervisor.Closed},
			{4, "allow", true, supervisor.Closed},
		}},
		{"opens at the threshold and allows nothing until the timeout", []step{
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Closed},
			{time.Second, "fail", false, supervisor.Open},
			{5 * time.Second, "allow", false, supervisor.Open},
			{11*time.Second - 1, "allow", false, supervisor.Open},
		}},
		{"half-open allows exactly one probe", []step{
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Open},
			{10 * time.Second, "allow", true, supervisor.HalfOpen},
			{10 * time.Second, "allow", false, supervisor.HalfOpen},
			{time.Minute, "allow", false, supervisor.HalfOpen},
		}},
		{"a failed probe re-opens for a full timeout", []step{
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Open},
			{10 * time.Second, "allow", true, supervisor.HalfOpen},
			{12 * time.Second, "fail", false, supervisor.Open},
			{21 * time.Second, "allow", false, supervisor.Open},
			{22 * time.Second, "allow", true, supervisor.HalfOpen},
		}},
		{"a good probe closes and resets the count", []step{
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Closed},
			{0, "fail", false, supervisor.Open},
			{10 * time.Second, "allow", true, supervisor.HalfOpen},
			{10 * time.Second, "ok", false, supervisor.Closed},
			{11 * time.Second, "fail", false, supervisor.Closed},
			{11 * time.Second, "allow", true, supervisor.Closed},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var changes []string
			b := supervisor.NewBreaker(policy, t0, func(from, to supervisor.Circuit) {
				changes = append(changes, from.String()+">"+to.String())
			})
			for i, s := range c.steps {
				switch s.do {
				case "fail":
					b.Failure(at(s.at))
				case "ok":
					b.Success(at(s.at))
				case "allow":
					if got := b.Allow(at(s.at)); got != s.allow {
						t.Fatalf("step %d: Allow = %v, want %v", i, got, s.allow)
					}
				}
				if got, _ := b.State(); got != s.want {
					t.Fatalf("step %d (%s at %v): state %v, want %v", i, s.do, s.at, got, s.want)
				}
			}
			// Each change was reported once, and states alternate sensibly.
			for i := 1; i < len(changes); i++ {
				if changes[i] == changes[i-1] {
					t.Errorf("change %s reported twice in a row: %v", changes[i], changes)
				}
			}
		})
	}
}

func TestBreakerDisabledNeverOpens(t *testing.T) {
	b := supervisor.NewBreaker(supervisor.BreakerPolicy{Disabled: true}, time.Now(), nil)
	for range 100 {
		b.Failure(time.Now())
	}
	if !b.Allow(time.Now()) || b.ConsecutiveFailures() != 100 {
		t.Fatal("a disabled breaker must allow everything and still count failures")
	}
}

func TestBreakerDefaults(t *testing.T) {
	t0 := time.Now()
	b := supervisor.NewBreaker(supervisor.BreakerPolicy{}, t0, nil)
	for range 4 {
		b.Failure(t0)
	}
	if s, _ := b.State(); s != supervisor.Closed {
		t.Fatal("opened before the default threshold of 5")
	}
	b.Failure(t0)
	if s, _ := b.State(); s != supervisor.Open || b.ProbeAt() != t0.Add(5*time.Second) {
		t.Fatalf("state %v, probe at %v; want open with a 5s recovery timeout", s, b.ProbeAt().Sub(t0))
	}
}

func TestPolicyValidation(t *testing.T) {
	bad := map[string]error{
		"breaker threshold": supervisor.BreakerPolicy{FailureThreshold: -1}.Validate(),
		"breaker timeout":   supervisor.BreakerPolicy{RecoveryTimeout: -time.Second}.Validate(),
		"retry multiplier":  supervisor.Retry{Multiplier: 0.5}.Validate(),
		"retry jitter":      supervisor.Retry{Jitter: 1}.Validate(),
		"retry max":         supervisor.Retry{MaxRetries: -1}.Validate(),
		"retry interval":    supervisor.Retry{InitialInterval: -1}.Validate(),
		"policy window":     supervisor.Policy{Window: -1}.Validate(),
		"policy give-up":    supervisor.Policy{OnGiveUp: 9}.Validate(),
		"policy backoff":    supervisor.Policy{Backoff: supervisor.Retry{Jitter: -1}}.Validate(),
	}
	for name, err := range bad {
		if err == nil {
			t.Errorf("%s: invalid value accepted", name)
		}
	}
	for _, err := range []error{supervisor.BreakerPolicy{}.Validate(), supervisor.Retry{}.Validate(), supervisor.Policy{}.Validate()} {
		if err != nil {
			t.Errorf("zero value rejected: %v", err)
		}
	}
}

func TestRetryState(t *testing.T) {
	t0 := time.Now()
	cases := []struct {
		name   string
		policy supervisor.Retry
		fails  []time.Duration // when each attempt failed
		waits  string          // the waits returned, "stop" once given up
	}{
		{"exponential and capped", supervisor.Retry{InitialInterval: 100 * time.Millisecond, MaxInterval: 300 * time.Millisecond, NoJitter: true},
			[]time.Duration{0, 0, 0, 0}, "[100ms 200ms 300ms 300ms]"},
		{"max retries", supervisor.Retry{InitialInterval: time.Second, NoJitter: true, MaxRetries: 2},
			[]time.Duration{0, 0, 0}, "[1s 2s stop]"},
		{"max elapsed", supervisor.Retry{InitialInterval: time.Second, NoJitter: true, MaxElapsed: 5 * time.Second},
			[]time.Duration{0, 4 * time.Second, 5 * time.Second}, "[1s 2s stop]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := supervisor.NewRetryState(c.policy)
			var got []string
			for _, at := range c.fails {
				wait, ok := s.Failed(t0.Add(at))
				if !ok {
					got = append(got, "stop")
					continue
				}
				got = append(got, wait.String())
			}
			if fmt.Sprint(got) != c.waits {
				t.Errorf("waits = %v, want %s", got, c.waits)
			}
			s.Reset()
			if s.Attempts() != 0 {
				t.Error("Reset kept the attempt count")
			}
		})
	}
}

func TestRetryJitterStaysInRange(t *testing.T) {
	s := supervisor.NewRetryState(supervisor.Retry{InitialInterval: time.Second, Jitter: 0.5})
	wait, _ := s.Failed(time.Now())
	if wait < 500*time.Millisecond || wait > 1500*time.Millisecond {
		t.Errorf("first wait %v outside 1s±50%%", wait)
	}
}
