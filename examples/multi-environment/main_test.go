package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// env returns a getenv over vars.
func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want config
	}{
		{"defaults", nil, config{Environment: development, RedisURL: defaultRedisURL, RabbitMQURL: defaultRabbitMQURL}},
		{"staging", map[string]string{"ENVIRONMENT": staging, "REDIS_URL": "redis://cache:6379/2"},
			config{Environment: staging, RedisURL: "redis://cache:6379/2", RabbitMQURL: defaultRabbitMQURL}},
		{"production with clusters", map[string]string{"ENVIRONMENT": production,
			"REDIS_CLUSTER_URL": "redis://n1:7000?addr=n2:7000", "RABBITMQ_CLUSTER_URL": "amqp://a/,amqp://b/"},
			config{Environment: production, RedisURL: defaultRedisURL, RedisClusterURL: "redis://n1:7000?addr=n2:7000",
				RabbitMQURL: defaultRabbitMQURL, RabbitMQClusterURL: "amqp://a/,amqp://b/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := configFromEnv(env(tt.vars))
			tt.want.StagingStream, tt.want.ProductionStream = "staging_ai_events", "prod_ai_events"
			tt.want.ProductionExchange, tt.want.Requests = "production_ai", 3
			if got != tt.want {
				t.Errorf("configFromEnv =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestBuildSinks(t *testing.T) {
	tests := []struct {
		name      string
		vars      map[string]string
		wantSinks []string
		wantLog   []string
		wantErr   string
	}{
		{name: "development", wantSinks: []string{"terminal"}},
		{name: "staging", vars: map[string]string{"ENVIRONMENT": staging},
			wantSinks: []string{"terminal", "redis:staging_ai_events"}},
		{name: "production falls back to the single-node URLs", vars: map[string]string{"ENVIRONMENT": production},
			wantSinks: []string{"redis:prod_ai_events", "rabbitmq:production_ai"},
			wantLog:   []string{"REDIS_CLUSTER_URL is not set", "RABBITMQ_CLUSTER_URL is not set"}},
		{name: "production on clusters", vars: map[string]string{"ENVIRONMENT": production,
			"REDIS_CLUSTER_URL": "redis://127.0.0.1:7000?addr=127.0.0.1:7001", "RABBITMQ_CLUSTER_URL": "amqp://127.0.0.1:5673/,amqp://127.0.0.1:5674/"},
			wantSinks: []string{"redis:prod_ai_events", "rabbitmq:production_ai"}},
		{name: "unknown environment", vars: map[string]string{"ENVIRONMENT": "qa"},
			wantErr: `unknown ENVIRONMENT "qa": want development, staging or production`},
		{name: "bad cluster URL", vars: map[string]string{"ENVIRONMENT": production, "REDIS_CLUSTER_URL": "http://x:s3cret@h"},
			wantErr: "invalid configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			ss, err := buildSinks(configFromEnv(env(tt.vars)), slog.New(slog.NewTextHandler(&logs, nil)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("err = %v, want it to contain %q (and no password)", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range ss {
				names = append(names, s.(sinks.Namer).Name())
				if err := s.Close(context.Background()); err != nil {
					t.Error(err)
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.wantSinks, ",") {
				t.Errorf("sinks %v, want %v", names, tt.wantSinks)
			}
			for _, want := range tt.wantLog {
				if !strings.Contains(logs.String(), want) {
					t.Errorf("log lacks %q:\n%s", want, &logs)
				}
			}
			if len(tt.wantLog) == 0 && logs.Len() > 0 {
				t.Errorf("unexpected log:\n%s", &logs)
			}
		})
	}
}

// wantEvents is what the service emits for the first three sample requests:
// two answered requests (forward and llm_call each with start, one token
// event per word, end) and one empty request (forward start and error).
var wantEvents = map[events.Type]int{events.TypeStart: 5, events.TypeToken: 10, events.TypeEnd: 4, events.TypeError: 1}

func TestDevelopment(t *testing.T) {
	var term, out bytes.Buffer
	cfg := configFromEnv(env(nil))
	cfg.Terminal = &term
	health, err := run(context.Background(), cfg, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(health) != 1 || health[0].Name != "terminal" || health[0].Delivered != 20 {
		t.Fatalf("health = %+v, want the terminal alone with 20 events delivered", health)
	}
	for _, want := range []string{
		"▶ forward (", "▶ llm_call (", "'Summarize the incident report'", "■ llm_call (",
		"✗ forward (", "empty request",
	} {
		if !strings.Contains(term.String(), want) {
			t.Errorf("terminal output lacks %q:\n%s", want, &term)
		}
	}
	if got, want := out.String(), "terminal: delivered 20 events, dropped 0\n"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestStaging(t *testing.T) {
	cfg := configFromEnv(env(map[string]string{"ENVIRONMENT": staging, "REDIS_URL": servicetest.RedisURL(t)}))
	cfg.StagingStream = servicetest.Name(t, "staging_ai_events")
	rdb := redisClient(t, cfg.RedisURL, cfg.StagingStream)
	var term, out bytes.Buffer
	cfg.Terminal = &term

	health, err := run(context.Background(), cfg, &out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(health) != 2 || health[0].Delivered != 20 || health[1].Delivered != 20 {
		t.Fatalf("health = %+v, want terminal and redis with 20 events each", health)
	}
	if !strings.Contains(term.String(), "'Summarize the incident report'") {
		t.Errorf("terminal output lacks the first answer:\n%s", &term)
	}
	got := readStream(t, rdb, cfg.StagingStream)
	checkEvents(t, "redis", got)
}

func TestProduction(t *testing.T) {
	cfg := configFromEnv(env(map[string]string{"ENVIRONMENT": production,
		"REDIS_URL": servicetest.RedisURL(t), "RABBITMQ_URL": servicetest.RabbitMQURL(t)}))
	cfg.ProductionStream = servicetest.Name(t, "prod_ai_events")
	cfg.ProductionExchange = servicetest.Name(t, "production_ai")
	cfg.ProductionQueue = servicetest.Name(t, "production_audit")
	rdb := redisClient(t, cfg.RedisURL, cfg.ProductionStream)
	deliveries, ch := bindQueue(t, cfg.RabbitMQURL, cfg.ProductionExchange)
	t.Cleanup(func() {
		if _, err := ch.QueueDelete(cfg.ProductionQueue, false, false, false); err != nil {
			t.Errorf("deleting queue %s: %v", cfg.ProductionQueue, err)
		}
	})
	var out, logs bytes.Buffer

	health, err := run(context.Background(), cfg, &out, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if len(health) != 2 || health[0].Delivered != 20 || health[1].Delivered != 20 {
		t.Fatalf("health = %+v, want redis and rabbitmq with 20 events each", health)
	}
	if !strings.Contains(logs.String(), "REDIS_CLUSTER_URL is not set: using REDIS_URL") {
		t.Errorf("no fallback log line:\n%s", &logs)
	}

	fromRedis := readStream(t, rdb, cfg.ProductionStream)
	checkEvents(t, "redis", fromRedis)

	var fromRabbit []events.Event
	timeout := time.After(30 * time.Second)
	for len(fromRabbit) < 20 {
		select {
		case d := <-deliveries:
			ev, err := events.Unmarshal(d.Body)
			if err != nil {
				t.Fatal(err)
			}
			if want := "ai.ProductionAIService." + string(ev.EventType); d.RoutingKey != want {
				t.Errorf("routing key %q, want %q", d.RoutingKey, want)
			}
			fromRabbit = append(fromRabbit, ev)
		case <-timeout:
			t.Fatalf("got %d of 20 messages from RabbitMQ", len(fromRabbit))
		}
	}
	checkEvents(t, "rabbitmq", fromRabbit)
	if q, err := ch.QueueDeclarePassive(cfg.ProductionQueue, true, false, false, false, nil); err != nil || q.Messages != 20 {
		t.Errorf("the queue the sink declared holds %d messages (%v), want 20", q.Messages, err)
	}
	for i := range fromRabbit {
		if fromRabbit[i].EventID != fromRedis[i].EventID {
			t.Fatalf("event %d: %s in RabbitMQ, %s in Redis: the sinks should get the same events in the same order",
				i, fromRabbit[i].EventID, fromRedis[i].EventID)
		}
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		vars map[string]string
		want string
	}{
		{"unknown environment", nil, map[string]string{"ENVIRONMENT": "qa"}, `unknown ENVIRONMENT "qa"`},
		{"unknown flag", []string{"-nope"}, nil, "flag provided but not defined: -nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := command(context.Background(), tt.args, env(tt.vars), &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// checkEvents checks what one sink's consumer got from the first three
// sample requests.
func checkEvents(t *testing.T, sink string, got []events.Event) {
	t.Helper()
	types := map[events.Type]int{}
	for _, ev := range got {
		types[ev.EventType]++
		if ev.ModuleName != "ProductionAIService" || ev.MethodName != "forward" {
			t.Errorf("%s: event %s from %s.%s", sink, ev.EventID, ev.ModuleName, ev.MethodName)
		}
	}
	if len(types) != len(wantEvents) {
		t.Errorf("%s: event types %v, want %v", sink, types, wantEvents)
	}
	for typ, n := range wantEvents {
		if types[typ] != n {
			t.Errorf("%s: %d %s events, want %d", sink, types[typ], typ, n)
		}
	}
}

// redisClient returns a client for url and deletes key after the test.
func redisClient(t *testing.T, url, key string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() {
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
		rdb.Close()
	})
	return rdb
}

// readStream reads a whole stream back with XRANGE.
func readStream(t *testing.T, rdb *redis.Client, key string) []events.Event {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["event"].(string)
		ev, err := events.Unmarshal([]byte(raw))
		if err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		out = append(out, ev)
	}
	return out
}

// bindQueue declares exchange as the sink does, binds a private queue to it
// with ai.#, and returns its deliveries and the channel. The exchange is
// deleted after the test; the queue goes with the connection.
func bindQueue(t *testing.T, url, exchange string) (<-chan amqp.Delivery, *amqp.Channel) {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ch.ExchangeDelete(exchange, false, false); err != nil && !errors.Is(err, amqp.ErrClosed) {
			t.Errorf("deleting exchange %s: %v", exchange, err)
		}
	})
	if err := ch.ExchangeDeclare(exchange, "topic", true, false, false, false, nil); err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare("", false, true, true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.QueueBind(q.Name, "ai.#", exchange, false, nil); err != nil {
		t.Fatal(err)
	}
	d, err := ch.Consume(q.Name, "", true, true, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return d, ch
}
