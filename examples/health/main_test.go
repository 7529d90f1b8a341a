package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testConfig returns a config on the test servers with a unique stream and
// exchange, deleted after the test.
func testConfig(t *testing.T) config {
	t.Helper()
	cfg := defaultConfig()
	cfg.RedisURL = servicetest.RedisURL(t)
	cfg.RabbitMQURL = servicetest.RabbitMQURL(t)
	cfg.Stream = servicetest.Name(t, "health_events")
	cfg.Exchange = servicetest.Name(t, "health")
	cfg.Terminal = io.Discard
	cfg.Addr = "127.0.0.1:0"
	t.Cleanup(func() {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			t.Error(err)
			return
		}
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		if err := rdb.Del(context.Background(), cfg.Stream).Err(); err != nil {
			t.Errorf("deleting %s: %v", cfg.Stream, err)
		}
		conn, err := amqp.Dial(cfg.RabbitMQURL)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err == nil {
			err = ch.ExchangeDelete(cfg.Exchange, false, false)
		}
		if err != nil {
			t.Errorf("deleting exchange %s: %v", cfg.Exchange, err)
		}
	})
	return cfg
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name       string
		deadRedis  bool
		wantStatus int
		wantLines  []string
		wantErr    error
	}{
		{
			name:       "every server up",
			wantStatus: http.StatusOK,
			wantLines: []string{
				"✅ terminal: running=true\n   delivered=30 dropped=0 buffered=0\n",
				"✅ redis:health_events_TestHealth_every_server_up_",
				": running=true\n   delivered=30 dropped=0 buffered=0\n✅ rabbitmq:health_",
			},
		},
		{
			name:       "Redis unreachable",
			deadRedis:  true,
			wantStatus: http.StatusServiceUnavailable,
			wantLines: []string{
				"✅ terminal: running=true\n   delivered=30 dropped=0 buffered=0\n",
				": running=true\n⚠️  Recent failures: 2\n🔴 Circuit breaker: OPEN\n   delivered=0 dropped=0 buffered=30\n",
				"   last error: redissink: XADD",
			},
			wantErr: errUnhealthy,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t)
			if tt.deadRedis {
				cfg.RedisURL = "redis://:s3cret@127.0.0.1:1"
				cfg.BreakerThreshold = 2
				cfg.CloseTimeout = 100 * time.Millisecond
				cfg.Settle = 500 * time.Millisecond // Flush waits for the dead server until then
			}

			t.Run("serve", func(t *testing.T) {
				status, body, metrics, out, err := serveOnce(t, cfg)
				if tt.deadRedis != isCloseError(err) {
					t.Errorf("run: %v", err)
				}
				if status != tt.wantStatus {
					t.Errorf("GET /health: %d, want %d\n%s", status, tt.wantStatus, body)
				}
				var report bus.HealthReport
				if err := json.Unmarshal(body, &report); err != nil {
					t.Fatalf("GET /health: %v\n%s", err, body)
				}
				if report.Healthy != (tt.wantStatus == http.StatusOK) || len(report.Sinks) != 3 {
					t.Errorf("GET /health: %+v", report)
				}
				for _, h := range report.Sinks {
					if !strings.Contains(metrics, `streamll_sink_delivered_total{sink="`+h.Name+`"}`) {
						t.Errorf("GET /metrics lacks streamll_sink_delivered_total for %s:\n%s", h.Name, metrics)
					}
				}
				if strings.Contains(string(body)+metrics+out, "s3cret") {
					t.Error("the password shows")
				}
				checkLines(t, out, tt.wantLines)
			})

			t.Run("once", func(t *testing.T) {
				cfg.Serve = false
				var out bytes.Buffer
				err := run(context.Background(), cfg, &out, nil)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Errorf("run: %v, want %v", err, tt.wantErr)
				}
				checkLines(t, out.String(), tt.wantLines)
			})
		})
	}
}

// serveOnce runs the program in serve mode, fetches /health and /metrics, and
// stops it.
func serveOnce(t *testing.T, cfg config) (status int, health []byte, metrics, out string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	addrs := make(chan string, 1)
	done := make(chan error, 1)
	var buf bytes.Buffer // written before ready and after stop only
	go func() { done <- run(serveCtx, cfg, &buf, func(a string) { addrs <- a }) }()
	var addr string
	select {
	case addr = <-addrs:
	case err := <-done:
		t.Fatalf("run stopped before serving: %v", err)
	case <-ctx.Done():
		t.Fatal("not serving")
	}

	status, health = get(t, ctx, "http://"+addr+"/health")
	_, m := get(t, ctx, "http://"+addr+"/metrics")
	stop()
	select {
	case err = <-done:
	case <-ctx.Done():
		t.Fatal("run did not stop")
	}
	return status, health, string(m), buf.String(), err
}

func get(t *testing.T, ctx context.Context, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections()
	return resp.StatusCode, body
}

func isCloseError(err error) bool {
	var ce *bus.CloseError
	return errors.As(err, &ce)
}

func checkLines(t *testing.T, out string, want []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}
