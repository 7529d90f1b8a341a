package sinkurl_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinkurl"
	"github.com/streamll/streamll-go/events"
)

// names returns the name each sink will have on a bus.
func names(list []sinks.Sink) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = nameOf(s)
	}
	return out
}

func closeAll(t *testing.T, list []sinks.Sink) {
	t.Helper()
	for _, s := range list {
		if err := s.Close(context.Background()); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
}

func TestParse(t *testing.T) {
	cases := []struct {
		name string
		list string
		want []string
	}{
		{"terminal", "terminal", []string{"terminal"}},
		{"none", "none", nil},
		{"none in capitals, spaced", "  NONE ", nil},
		{"the issue's list", "terminal,redis://127.0.0.1:6379/0?stream=ai_events,amqp://u:p@127.0.0.1/?exchange=audit&routing_key=loan.%7Boperation%7D.%7Bevent_type%7D",
			[]string{"terminal", "redis:ai_events", "rabbitmq:audit"}},
		{"raw braces, spaces around items", " redis://127.0.0.1?stream=events:{tag:customer_id} , amqp://127.0.0.1/?routing_key=loan.{operation}.{event_type} ",
			[]string{"redis:events:{tag:customer_id}", "rabbitmq:streamll"}},
		{"defaults", "redis://127.0.0.1,amqp://127.0.0.1", []string{"redis:streamll_events", "rabbitmq:streamll"}},
		{"names", "terminal?name=console,redis://127.0.0.1?name=dashboard", []string{"console", "dashboard"}},
		{"several of a kind", "redis://127.0.0.1?stream=a,redis://127.0.0.1?stream=b", []string{"redis:a", "redis:b"}},
		{"every scheme", "rediss://127.0.0.1,redis+cluster://127.0.0.1:7000?addr=127.0.0.1:7001,rediss+cluster://127.0.0.1:7000,redis+unix:///tmp/r.sock,amqps://127.0.0.1",
			[]string{"redis:streamll_events", "redis:streamll_events", "redis:streamll_events", "redis:streamll_events", "rabbitmq:streamll"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			list, err := sinkurl.Parse(tc.list)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.list, err)
			}
			defer closeAll(t, list)
			got := names(list)
			if len(got) != len(tc.want) {
				t.Fatalf("Parse(%q) built %q, want %q", tc.list, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("sink %d is %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
}

// TestHostOptions checks the settings every sink takes, as the host sees them.
func TestHostOptions(t *testing.T) {
	list, err := sinkurl.Parse("redis://127.0.0.1?types=error|end|docs_found&buffer=100&batch=10" +
		"&overflow=drop_newest&write_timeout=2s&max_retries=4&max_elapsed=1m&breaker=false" +
		"&failure_threshold=3&recovery_timeout=1m30s")
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll(t, list)
	o := list[0].(sinks.Configured).HostOptions()
	checks := []struct {
		name      string
		got, want any
	}{
		{"BufferSize", o.BufferSize, 100},
		{"BatchSize", o.BatchSize, 10},
		{"Overflow", o.Overflow, sinks.DropNewest},
		{"WriteTimeout", o.WriteTimeout, 2 * time.Second},
		{"Retry.MaxRetries", o.Retry.MaxRetries, 4},
		{"Retry.MaxElapsed", o.Retry.MaxElapsed, time.Minute},
		{"Breaker.Disabled", o.Breaker.Disabled, true},
		{"Breaker.FailureThreshold", o.Breaker.FailureThreshold, 3},
		{"Breaker.RecoveryTimeout", o.Breaker.RecoveryTimeout, 90 * time.Second},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for typ, want := range map[events.Type]bool{
		events.TypeError: true, events.TypeEnd: true, "docs_found": true,
		events.TypeStart: false, events.TypeToken: false,
	} {
		if got := o.Filter(&events.Event{EventType: typ}); got != want {
			t.Errorf("filter(%s) = %v, want %v", typ, got, want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	const name = "STREAMLL_SINKURL_TEST_SINKS"
	cases := []struct {
		name     string
		value    *string // nil: unset
		fallback string
		want     []string
		wantErr  string
	}{
		{"unset, fallback", nil, "terminal", []string{"terminal"}, ""},
		{"unset, no fallback", nil, "", nil, ""},
		{"blank, fallback", ptr("  "), "terminal", []string{"terminal"}, ""},
		{"set", ptr("redis://127.0.0.1?stream=ai_events"), "terminal", []string{"redis:ai_events"}, ""},
		{"none overrides the fallback", ptr("none"), "terminal", nil, ""},
		{"invalid value", ptr("redis://app:s3cr3t@127.0.0.1/0?strem=x"), "terminal", nil,
			name + `: item 1 (redis://app:xxxxx@127.0.0.1/0?strem=x): unknown parameter "strem"`},
		{"invalid fallback", nil, "terminal?colour=never", nil,
			name + ` (default): item 1 (terminal?colour=never): unknown parameter "colour"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(name, "")
			if tc.value != nil {
				t.Setenv(name, *tc.value)
			} else {
				unsetenv(t, name)
			}
			list, err := sinkurl.FromEnv(name, tc.fallback)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("FromEnv = %d sinks, nil error; want %q", len(list), tc.wantErr)
				}
				checkInvalid(t, err, strings.SplitN(tc.wantErr, ": ", 2)[0])
				if !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("error %q does not contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer closeAll(t, list)
			if got := names(list); !slices.Equal(got, tc.want) {
				t.Errorf("FromEnv built %q, want %q", got, tc.want)
			}
		})
	}
}

func ptr(s string) *string { return &s }

// unsetenv unsets name for the rest of t; t.Setenv has restored it by then.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
