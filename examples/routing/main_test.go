package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testConfig returns a config on the test servers with unique names, and
// deletes the stream and the exchanges after the test.
func testConfig(t *testing.T) config {
	t.Helper()
	cfg := configFromEnv(func(k string) string {
		switch k {
		case "REDIS_URL":
			return servicetest.RedisURL(t)
		case "RABBITMQ_URL":
			return servicetest.RabbitMQURL(t)
		}
		return ""
	})
	cfg.MonitoringStream = servicetest.Name(t, "ai_monitoring")
	cfg.AuditExchange = servicetest.Name(t, "ai_audit")
	cfg.AlertsExchange = servicetest.Name(t, "ai_alerts")
	t.Cleanup(func() {
		opts, err := redis.ParseURL(cfg.MonitoringURL)
		if err != nil {
			t.Error(err)
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		if err := rdb.Del(context.Background(), cfg.MonitoringStream).Err(); err != nil {
			t.Errorf("deleting %s: %v", cfg.MonitoringStream, err)
		}
		conn, err := amqp.Dial(cfg.AuditURL)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Error(err)
			return
		}
		for _, ex := range []string{cfg.AuditExchange, cfg.AlertsExchange} {
			if err := ch.ExchangeDelete(ex, false, false); err != nil {
				t.Errorf("deleting exchange %s: %v", ex, err)
			}
		}
	})
	return cfg
}

// received collects what the consumers handed over, by destination, and
// signals each arrival.
type received struct {
	mu      sync.Mutex
	by      map[string][]delivery
	arrived chan struct{}
}

func (r *received) handle(d delivery) {
	r.mu.Lock()
	r.by[d.Dest] = append(r.by[d.Dest], d)
	r.mu.Unlock()
	select {
	case r.arrived <- struct{}{}:
	default:
	}
}

func (r *received) counts() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := map[string]uint64{}
	for dest, ds := range r.by {
		c[dest] = uint64(len(ds))
	}
	return c
}

// TestRouting runs the consumers, then the producer, and checks that each
// destination got exactly its events: monitoring and audit every event in
// order, alerts the error events alone.
func TestRouting(t *testing.T) {
	cfg := testConfig(t)
	const transactions = 6
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	consCtx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()

	got := &received{by: map[string][]delivery{}, arrived: make(chan struct{}, 1)}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- runConsumers(consCtx, cfg, func() { close(ready) }, got.handle) }()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("consumers stopped before reading: %v", err)
	case <-ctx.Done():
		t.Fatal("consumers not ready")
	}

	var out bytes.Buffer
	health, err := runProducer(ctx, cfg, transactions, &out, nil)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &out)
	}
	want := map[string]uint64{}
	for _, h := range health {
		want[h.Name] = h.Delivered
	}

	for c := got.counts(); c[monitoring] < want[monitoring] || c[audit] < want[audit] || c[alerts] < want[alerts]; c = got.counts() {
		select {
		case <-got.arrived:
		case err := <-done:
			t.Fatalf("consumers stopped early: %v (got %v, want %v)", err, c, want)
		case <-ctx.Done():
			t.Fatalf("consumers got %v, want %v", c, want)
		}
	}
	stopConsumers()
	if err := <-done; err != nil {
		t.Fatalf("consumers: %v", err)
	}

	mon, aud, alr := got.by[monitoring], got.by[audit], got.by[alerts]
	if uint64(len(mon)) != want[monitoring] || uint64(len(aud)) != want[audit] || uint64(len(alr)) != want[alerts] {
		t.Fatalf("got monitoring %d, audit %d, alerts %d events; delivered %v", len(mon), len(aud), len(alr), want)
	}
	const failed = transactions / 3 // every third transaction fails
	if want := uint64(2 * failed); uint64(len(alr)) != want {
		t.Errorf("%d alerts, want %d: an error event for fetch_history and for analyze_risk per failed transaction", len(alr), want)
	}
	var errorsSeen []string
	for i, m := range mon {
		if aud[i].Event.EventID != m.Event.EventID {
			t.Fatalf("event %d: audit got %s, monitoring %s", i, aud[i].Event.EventID, m.Event.EventID)
		}
		if wantKey := "audit.RiskEngine." + string(m.Event.EventType); aud[i].Key != wantKey {
			t.Errorf("audit routing key %q, want %q", aud[i].Key, wantKey)
		}
		if m.Event.EventType == events.TypeError {
			errorsSeen = append(errorsSeen, m.Event.EventID)
		}
	}
	if len(errorsSeen) != len(alr) {
		t.Fatalf("monitoring saw %d error events, alerts got %d", len(errorsSeen), len(alr))
	}
	for i, a := range alr {
		if a.Event.EventID != errorsSeen[i] || a.Event.EventType != events.TypeError {
			t.Errorf("alert %d: %s %s, want error event %s", i, a.Event.EventType, a.Event.EventID, errorsSeen[i])
		}
		if wantKey := "alert." + a.Event.Operation + ".error"; a.Key != wantKey {
			t.Errorf("alert routing key %q, want %q", a.Key, wantKey)
		}
	}
	for _, ds := range [][]delivery{mon, aud, alr} {
		for _, d := range ds {
			if d.Event.Tags["service"] != "risk_engine" || d.Event.Tags["criticality"] != "high" {
				t.Errorf("%s: event %s tags %v", d.Dest, d.Event.EventID, d.Event.Tags)
			}
		}
	}
}

func TestPrintDelivery(t *testing.T) {
	tests := []struct {
		name string
		d    delivery
		want string
	}{
		{"start", delivery{Dest: audit, Key: "audit.RiskEngine.start",
			Event: events.Event{ExecutionID: "abc", Operation: "analyze_risk", EventType: events.TypeStart}},
			"[audit]      audit.RiskEngine.start             analyze_risk  start  abc\n"},
		{"error shows its message", delivery{Dest: alerts, Key: "alert.fetch_history.error",
			Event: events.Event{ExecutionID: "def", Operation: "fetch_history", EventType: events.TypeError,
				Data: map[string]any{events.KeyErrorMessage: "timed out"}}},
			"[alerts]     alert.fetch_history.error          fetch_history error  def timed out\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printDelivery(&b, tt.d)
			if b.String() != tt.want {
				t.Errorf("got  %q\nwant %q", b.String(), tt.want)
			}
		})
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage: routing"},
		{"unknown subcommand", []string{"consume"}, `unknown subcommand "consume"`},
		{"unknown flag", []string{"producer", "-nope"}, "flag provided but not defined: -nope"},
		{"unreachable Redis", []string{"consumers"}, "monitoring: consume: cannot reach the source: redis stream ai_monitoring"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				switch k {
				case "REDIS_URL":
					return "redis://:s3cret@127.0.0.1:1?max_retries=-1"
				case "RABBITMQ_URL":
					return "amqp://guest:s3cret@127.0.0.1:1/"
				}
				return ""
			}
			var stdout bytes.Buffer
			err := command(context.Background(), tt.args, getenv, &stdout, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("err = %v, want it to contain %q (and no password)", err, tt.want)
			}
		})
	}
}
