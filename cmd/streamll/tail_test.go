package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// redisStream returns the test Redis URL and a stream key of the test's own,
// deleted afterwards.
func redisStream(t *testing.T) (string, string) {
	t.Helper()
	u := servicetest.RedisURL(t)
	key := servicetest.Name(t, "tail")
	t.Cleanup(func() {
		opts, _ := redis.ParseURL(u)
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
	})
	return u, key
}

// application is what the tests trace: two customers' document analyses,
// each with a streamed LLM call, and one that fails.
func application(b *bus.Bus) {
	for i, customer := range []string{"c-42", "c-7"} {
		ctx, root := b.Start(context.Background(), bus.Op{ID: fmt.Sprintf("root%d0000000", i), Module: "DocumentAnalyzer",
			Method: "forward", Operation: "forward", Tags: map[string]string{"customer_id": customer}})
		_, call := b.Start(ctx, bus.Op{ID: fmt.Sprintf("call%d0000000", i), Operation: "llm_call",
			Data: map[string]any{events.KeyGenAIRequestModel: "simulated-llm"}})
		for _, tok := range []string{"The", " document", " is", " fine."} {
			call.Token(tok)
		}
		call.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 12, events.KeyGenAIUsageOutputTokens: 4}, nil)
		if customer == "c-7" {
			root.End(fmt.Errorf("quota exceeded for %s", customer))
		} else {
			root.End(nil)
		}
	}
}

const applicationEvents = 16

// produce runs the application through a bus with sink and, beside it, a
// terminal sink writing to the returned buffer: what tail must print.
func produce(t *testing.T, sink sinks.Sink) string {
	t.Helper()
	var want bytes.Buffer
	term, err := terminal.New(terminal.Config{Output: &want, Color: terminal.ColorNever, Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink, term}})
	if err != nil {
		t.Fatal(err)
	}
	application(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("bus.Close: %v", err)
	}
	return want.String()
}

// tailLive starts tail on url, waits until it reads, runs the producer, and
// checks that tail prints exactly what the terminal sink printed in the
// producer, then that Ctrl-C stops it with its summary and exit code 0.
func tailLive(t *testing.T, url string, sink sinks.Sink) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tailCtx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	stdout, stderr, code := command(tailCtx, "tail", "--utc", url)
	stderr.waitFor(t, ctx, "reading ")

	want := produce(t, sink)
	last := want[strings.LastIndex(strings.TrimSuffix(want, "\n"), "\n")+1:]
	stdout.waitFor(t, ctx, last)
	interrupt()
	if c := exitCode(t, code); c != exitOK {
		t.Errorf("exit code %d after Ctrl-C, want 0\n%s", c, stderr)
	}
	if got := stdout.String(); got != want {
		t.Errorf("tail printed:\n%s\nthe terminal sink printed:\n%s", got, want)
	}
	if want := "16 events (4 executions, 1 error, 8 tokens; usage 24 in, 8 out) in"; !strings.Contains(stderr.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, stderr)
	}
}

func TestTailRedis(t *testing.T) {
	u, key := redisStream(t)
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	tailLive(t, u+"?stream="+key, sink)
}

func TestTailRabbitMQ(t *testing.T) {
	u := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "tail")
	t.Cleanup(func() {
		conn, err := amqp.Dial(u)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		if ch, err := conn.Channel(); err == nil {
			_ = ch.ExchangeDelete(exchange, false, false)
		}
	})
	sink, err := rabbitmqsink.New(rabbitmqsink.Config{URL: u, Exchange: exchange})
	if err != nil {
		t.Fatal(err)
	}
	tailLive(t, u+"?exchange="+exchange, sink)
}

// TestTailFilters replays one stream with each filter and with --json.
func TestTailFilters(t *testing.T) {
	u, key := redisStream(t)
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, sink)
	url := u + "?stream=" + key
	tests := []struct {
		name  string
		args  []string
		lines []string // the start of each line, after the time
	}{
		{"errors only", []string{"--type", "error"}, []string{"✗ forward (root10) *errors.errorString: quota exceeded for c-7"}},
		{"two types", []string{"--type", "start", "--type", "end", "--module", "DocumentAnalyzer", "-n", "3"},
			[]string{"▶ forward (root00)", "▶ llm_call (call00)", "■ llm_call (call00)"}},
		{"a customer", []string{"--tag", "customer_id=c-7", "--no-data", "--no-tokens"},
			[]string{"▶ forward (root10)", "▶ llm_call (call10)", "■ llm_call (call10)", "✗ forward (root10)"}},
		{"an execution and its child", []string{"--execution", "root0", "--type", "token,end", "-n", "6"},
			[]string{"• llm_call (call00) 'The document is fine.'", "■ llm_call (call00)", "■ forward (root00)"}},
		{"an operation", []string{"--operation", "llm_call", "--type", "start", "--max-data", "-1"},
			[]string{`▶ llm_call (call00) DocumentAnalyzer.forward {"gen_ai.request.model":"simulated-llm"}`,
				`▶ llm_call (call10) DocumentAnalyzer.forward {"gen_ai.request.model":"simulated-llm"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"tail", "--utc", "--from", "beginning", "-n", "0"}, tt.args...)
			if !contains(tt.args, "-n") {
				args = append(args, "-n", fmt.Sprint(len(tt.lines)))
			}
			stdout, stderr, code := command(t.Context(), append(args, url)...)
			if c := exitCode(t, code); c != exitOK {
				t.Fatalf("exit code %d\n%s", c, stderr)
			}
			lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(lines) != len(tt.lines) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tt.lines), stdout)
			}
			for i, line := range lines {
				_, rest, _ := strings.Cut(line, "] ")
				if !strings.HasPrefix(rest, tt.lines[i]) {
					t.Errorf("line %d is %q, want it to start with %q", i+1, rest, tt.lines[i])
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		stdout, stderr, code := command(t.Context(), "tail", "--json", "--from", "0", "-n", fmt.Sprint(applicationEvents), url)
		if c := exitCode(t, code); c != exitOK {
			t.Fatalf("exit code %d\n%s", c, stderr)
		}
		opts, _ := redis.ParseURL(u)
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		entries, err := rdb.XRange(t.Context(), key, "-", "+").Result()
		if err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, e := range entries {
			want.WriteString(e.Values["event"].(string) + "\n")
		}
		if stdout.String() != want.String() {
			t.Errorf("--json printed:\n%s\nthe stream holds:\n%s", stdout, &want)
		}
		if !strings.Contains(stderr.String(), "16 events (4 executions, 1 error, 8 tokens") {
			t.Errorf("summary: %s", stderr)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestTailColor: colours only when asked, or on a terminal without NO_COLOR
// (a test's output is never a terminal).
func TestTailColor(t *testing.T) {
	u, key := redisStream(t)
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, sink)
	for _, color := range []string{"always", "auto", "never"} {
		t.Run(color, func(t *testing.T) {
			stdout, stderr, code := command(t.Context(), "tail", "--from", "beginning", "-n", "1", "--color", color, u+"?stream="+key)
			if c := exitCode(t, code); c != exitOK {
				t.Fatalf("exit code %d\n%s", c, stderr)
			}
			if has := strings.Contains(stdout.String(), "\x1b["); has != (color == "always") {
				t.Errorf("escape codes = %v with --color %s:\n%q", has, color, stdout)
			}
		})
	}
}
