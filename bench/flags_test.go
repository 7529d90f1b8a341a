package main

import (
	"errors"
	"flag"
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

func TestParseFlagsDefaults(t *testing.T) {
	cfg, err := parseFlags(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Sinks, []string{kindMemory}) || cfg.Producers != 4 || cfg.Duration != 3*time.Second ||
		cfg.Payload != 400 || cfg.Consumer != consumeAfter || cfg.Rate != 0 {
		t.Fatalf("defaults = %+v", cfg)
	}
	if cfg.RedisURL != "redis://localhost:6379" || !strings.HasPrefix(cfg.RabbitURL, "amqp://") {
		t.Fatalf("default URLs = %q, %q", cfg.RedisURL, cfg.RabbitURL)
	}
}

func TestParseFlagsDerived(t *testing.T) {
	env := map[string]string{"REDIS_URL": "redis://127.0.0.1:6380/2", "RABBITMQ_URL": "amqp://u:p@127.0.0.1:5673/"}
	tests := []struct {
		name  string
		args  []string
		check func(config) bool
	}{
		{"rate makes the consumer live", []string{"-rate", "1000"}, func(c config) bool { return c.Consumer == consumeLive }},
		{"outage defaults to an open loop", []string{"-sink", "redis", "-outage", "1s"}, func(c config) bool { return c.Rate == 10000 }},
		{"smoke runs every sink briefly", []string{"-smoke"}, func(c config) bool {
			return len(c.Sinks) == len(kinds) && c.Duration == time.Second && c.Rate == 2000 && c.Consumer == consumeLive
		}},
		{"sweep points default to 1s", []string{"-sweep"}, func(c config) bool { return c.Duration == time.Second }},
		{"URLs from the environment", nil, func(c config) bool { return c.RedisURL == env["REDIS_URL"] && c.RabbitURL == env["RABBITMQ_URL"] }},
		{"sinks repeat and trim", []string{"-sink", " Redis,redis ,memory"}, func(c config) bool {
			return slices.Equal(c.Sinks, []string{kindRedis, kindRedis, kindMemory})
		}},
		{"window defaults to half the buffer", []string{"-buffer", "800"}, func(c config) bool { return c.window() == 400 }},
		{"rates run go-redis every 1ms and 5ms", []string{"-sink", "redis", "-rates", "1000,10000"}, func(c config) bool {
			return slices.Equal(c.Rates, []float64{1000, 10000}) && c.Duration == 5*time.Second &&
				slices.Equal(c.RawEvery, []time.Duration{time.Millisecond, 5 * time.Millisecond})
		}},
		{"raw loops of the caller's periods", []string{"-sink", "redis", "-rates", "10000", "-raw-every", "1ms, 20ms"}, func(c config) bool {
			return slices.Equal(c.RawEvery, []time.Duration{time.Millisecond, 20 * time.Millisecond})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := parseFlags(tt.args, func(k string) string { return env[k] }, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(cfg) {
				t.Fatalf("config = %+v", cfg)
			}
		})
	}
}

func TestParseFlagsRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // part of the error
	}{
		{"unknown sink", []string{"-sink", "kafka"}, `unknown sink "kafka"`},
		{"no producers", []string{"-producers", "0"}, "-producers"},
		{"events and duration", []string{"-events", "10", "-duration", "1s"}, "exclude each other"},
		{"negative payload", []string{"-payload", "-1"}, "-payload"},
		{"zero duration", []string{"-duration", "0s"}, "-duration"},
		{"negative rate", []string{"-rate", "-5"}, "-rate"},
		{"confirm window", []string{"-confirm-window", "0"}, "-confirm-window"},
		{"terminal output", []string{"-terminal-out", "tty"}, "-terminal-out"},
		{"consumer mode", []string{"-consumer", "sometimes"}, "-consumer"},
		{"outage mode", []string{"-outage-mode", "unplug"}, "-outage-mode"},
		{"baseline needs a network sink", []string{"-baseline"}, "needs a redis, rabbitmq or nats sink"},
		{"baseline is closed loop", []string{"-sink", "redis", "-baseline", "-rate", "100"}, "cannot be combined with -rate"},
		{"outage needs a network sink", []string{"-outage", "1s"}, "need a redis, rabbitmq or nats sink"},
		{"scenarios exclude each other", []string{"-sink", "redis", "-sweep", "-blackhole"}, "pick one"},
		{"outage past the end", []string{"-sink", "redis", "-duration", "2s", "-outage", "2s", "-outage-at", "1s"}, "must end before"},
		{"outage past the end by default", []string{"-sink", "redis", "-duration", "4s", "-outage", "3s"}, "must end before"},
		{"chart without sweep", []string{"-chart", "x.svg"}, "add -sweep"},
		{"chart format", []string{"-sweep", "-chart", "x.jpg"}, ".svg or .png"},
		{"bad sweep list", []string{"-sweep-producers", "1,x"}, "-sweep-producers"},
		{"prefix with a dot", []string{"-prefix", "a.b"}, "-prefix"},
		{"no rounds", []string{"-repeat", "0"}, "-repeat"},
		{"rounds of a sweep", []string{"-sweep", "-repeat", "3"}, "default scenario only"},
		{"emit sample", []string{"-emit-sample", "0"}, "-emit-sample"},
		{"stray argument", []string{"redis"}, "unexpected arguments"},
		{"bad rate", []string{"-rates", "10000,fast"}, "-rates"},
		{"bad raw period", []string{"-rates", "10000", "-raw-every", "1ms,0s"}, "-raw-every"},
		{"raw periods without rates", []string{"-raw-every", "1ms"}, "add -rates"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseFlags(tt.args, noEnv, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("parseFlags(%q) = %v, want an error containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseFlagsHelp(t *testing.T) {
	var out strings.Builder
	_, err := parseFlags([]string{"-help"}, noEnv, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(out.String(), "go run . [flags]") || !strings.Contains(out.String(), "-baseline") {
		t.Fatalf("help text:\n%s", out.String())
	}
}

func TestURLErrorsHidePasswords(t *testing.T) {
	_, err := parseFlags(nil, func(k string) string {
		if k == "REDIS_URL" {
			return "redis://user:s3cret@host:6379/%zz"
		}
		return ""
	}, io.Discard)
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("err = %v, want an error without the password", err)
	}
}
