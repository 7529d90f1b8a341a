package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var testCustomers = []string{"acme", "globex", "initech"}

// stream returns a unique stream key on the test Redis, deleted after the test.
func stream(t *testing.T) (url, key string) {
	t.Helper()
	url = servicetest.RedisURL(t)
	key = servicetest.Name(t, "ai_platform_events")
	t.Cleanup(func() {
		opts, err := redis.ParseURL(url)
		if err != nil {
			t.Error(err)
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
	})
	return url, key
}

// TestDashboardLive is the seed's flow: the dashboard reads new entries only,
// so it starts first; then the producer runs; the dashboard's per-customer
// counts must equal what the producer did.
func TestDashboardLive(t *testing.T) {
	url, key := stream(t)
	const documents = 12

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dashCtx, stopDashboard := context.WithCancel(ctx)
	defer stopDashboard()
	ready := make(chan struct{})
	out := newLineWatch("done ", documents)
	type result struct {
		seen usageByCustomer
		err  error
	}
	done := make(chan result, 1)
	go func() {
		seen, err := runDashboard(dashCtx, dashboardConfig{RedisURL: url, StreamKey: key, Block: 100 * time.Millisecond},
			out, func() { close(ready) })
		done <- result{seen, err}
	}()
	select {
	case <-ready:
	case r := <-done:
		t.Fatalf("dashboard stopped before reading: %v", r.err)
	case <-ctx.Done():
		t.Fatal("dashboard not ready")
	}

	var prodOut bytes.Buffer
	produced, err := runProducer(ctx, producerConfig{RedisURL: url, StreamKey: key, Documents: documents,
		Customers: testCustomers}, &prodOut)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &prodOut)
	}

	select {
	case <-out.reached:
	case r := <-done:
		t.Fatalf("dashboard stopped early: %v\n%s", r.err, out)
	case <-ctx.Done():
		t.Fatalf("dashboard did not see %d documents:\n%s", documents, out)
	}
	stopDashboard()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("dashboard did not stop")
	}
	if r.err != nil {
		t.Fatalf("dashboard: %v", r.err)
	}
	assertSameUsage(t, produced, r.seen)
	if got := len(r.seen); got != len(testCustomers) {
		t.Errorf("dashboard saw %d customers, want %d", got, len(testCustomers))
	}
}

// TestDashboardReplay starts the dashboard after the producer, from entry 0,
// and lets it stop by itself after exactly the stream's length in events.
func TestDashboardReplay(t *testing.T) {
	url, key := stream(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var prodOut bytes.Buffer
	produced, err := runProducer(ctx, producerConfig{RedisURL: url, StreamKey: key, Documents: 7,
		Customers: testCustomers[:2]}, &prodOut)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &prodOut)
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	n, err := rdb.XLen(ctx, key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("delivered %d events to %s\n", n, key); !strings.HasSuffix(prodOut.String(), want) {
		t.Errorf("producer output does not end with %q:\n%s", want, &prodOut)
	}

	var out bytes.Buffer
	seen, err := runDashboard(ctx, dashboardConfig{RedisURL: url, StreamKey: key, From: "0", MaxEvents: int(n)}, &out, nil)
	if err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	assertSameUsage(t, produced, seen)
	if want := fmt.Sprintf("read %d events\n", n); !strings.Contains(out.String(), want) {
		t.Errorf("dashboard output lacks %q:\n%s", want, &out)
	}
}

// TestProducerReportsUndelivered: with Redis unreachable, the producer says
// so through Close's error, with the password redacted.
func TestProducerReportsUndelivered(t *testing.T) {
	var out bytes.Buffer
	_, err := runProducer(context.Background(), producerConfig{
		RedisURL: "redis://user:s3cret@127.0.0.1:1", StreamKey: "unused", Documents: 2,
		Customers: testCustomers, CloseTimeout: 200 * time.Millisecond}, &out)
	var ce *bus.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *bus.CloseError", err)
	}
	if total := ce.Lost["redis:unused"][sinks.DropUndelivered]; total == 0 {
		t.Errorf("Lost = %v, want events for redis:unused", ce.Lost)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage: saas-dashboard"},
		{"unknown subcommand", []string{"serve"}, `unknown subcommand "serve"`},
		{"unknown flag", []string{"producer", "-nope"}, "flag provided but not defined: -nope"},
		{"no customers", []string{"producer", "-customers", ""}, "no customers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			getenv := func(string) string { return "redis://127.0.0.1:1" }
			err := command(context.Background(), tt.args, getenv, &bytes.Buffer{}, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func assertSameUsage(t *testing.T, produced, seen usageByCustomer) {
	t.Helper()
	if !reflect.DeepEqual(produced, seen) {
		var p, s strings.Builder
		_ = produced.writeTable(&p)
		_ = seen.writeTable(&s)
		t.Errorf("dashboard counts differ from what was produced\nproduced:\n%s\ndashboard:\n%s", &p, &s)
	}
}

// lineWatch is the dashboard's output in a test: it keeps everything written
// and closes reached once want lines starting with prefix were written.
type lineWatch struct {
	prefix  string
	want    int
	reached chan struct{}

	mu  sync.Mutex
	buf bytes.Buffer
}

func newLineWatch(prefix string, want int) *lineWatch {
	return &lineWatch{prefix: prefix, want: want, reached: make(chan struct{})}
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	before := strings.Count("\n"+w.buf.String(), "\n"+w.prefix)
	w.buf.Write(p)
	after := strings.Count("\n"+w.buf.String(), "\n"+w.prefix)
	if before < w.want && after >= w.want {
		close(w.reached)
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
