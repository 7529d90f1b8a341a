package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// The environments, and the seed's names.
const (
	development = "development"
	staging     = "staging"
	production  = "production"

	defaultRedisURL    = "redis://localhost:6379"
	defaultRabbitMQURL = "amqp://guest:guest@localhost:5672/"
)

// config is the service's configuration, read from the environment by
// configFromEnv.
type config struct {
	// Environment is ENVIRONMENT: development (the default), staging or
	// production.
	Environment string
	// RedisURL is REDIS_URL (default redis://localhost:6379); RedisClusterURL
	// is REDIS_CLUSTER_URL, used in production when set.
	RedisURL, RedisClusterURL string
	// RabbitMQURL is RABBITMQ_URL (default amqp://guest:guest@localhost:5672/);
	// RabbitMQClusterURL is RABBITMQ_CLUSTER_URL (comma-separated nodes),
	// used in production when set.
	RabbitMQURL, RabbitMQClusterURL string
	// StagingStream and ProductionStream are the Redis stream keys. Defaults
	// staging_ai_events and prod_ai_events.
	StagingStream, ProductionStream string
	// ProductionExchange is the RabbitMQ exchange. Default production_ai.
	ProductionExchange string
	// ProductionQueue, when set, is a durable queue the RabbitMQ sink declares
	// and binds to the exchange with ai.#, so that events published before
	// any consumer has bound its queue wait in it. Default none: the
	// consumers declare their queues.
	ProductionQueue string
	// Requests is how many requests the service processes. Default 3.
	Requests int
	// Terminal receives the terminal sink's lines. Default os.Stdout.
	Terminal io.Writer
	// CloseTimeout bounds the final flush. Default 10s.
	CloseTimeout time.Duration
}

// configFromEnv reads the configuration from getenv (os.Getenv in main),
// with the seed's defaults.
func configFromEnv(getenv func(string) string) config {
	or := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	return config{
		Environment:        or("ENVIRONMENT", development),
		RedisURL:           or("REDIS_URL", defaultRedisURL),
		RedisClusterURL:    getenv("REDIS_CLUSTER_URL"),
		RabbitMQURL:        or("RABBITMQ_URL", defaultRabbitMQURL),
		RabbitMQClusterURL: getenv("RABBITMQ_CLUSTER_URL"),
		StagingStream:      "staging_ai_events",
		ProductionStream:   "prod_ai_events",
		ProductionExchange: "production_ai",
		Requests:           3,
	}
}

// buildSinks returns the sinks of cfg.Environment, as the seed's
// configure_streamll_for_environment does. logger (not nil) hears about
// fallbacks.
func buildSinks(cfg config, logger *slog.Logger) ([]sinks.Sink, error) {
	switch cfg.Environment {
	case development:
		// Local development: the terminal only.
		term, err := terminal.New(terminal.Config{Output: cfg.Terminal})
		return []sinks.Sink{term}, err

	case staging:
		// Staging: the terminal, so developers still see the output, and Redis
		// for integration testing. The breaker is on by default.
		term, err := terminal.New(terminal.Config{Output: cfg.Terminal})
		if err != nil {
			return nil, err
		}
		redis, err := redissink.New(redissink.Config{URL: cfg.RedisURL, StreamKey: cfg.StagingStream})
		return []sinks.Sink{term, redis}, err

	case production:
		// Production: Redis for real-time dashboards, with a stricter breaker,
		// and RabbitMQ for the durable audit trail.
		redisCfg := redissink.Config{
			StreamKey: cfg.ProductionStream,
			Options: sinks.Options{
				Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 60 * time.Second},
			},
		}
		if cfg.RedisClusterURL != "" {
			redisCfg.URL, redisCfg.Cluster = cfg.RedisClusterURL, true
		} else {
			redisCfg.URL = cfg.RedisURL
			logger.Warn("REDIS_CLUSTER_URL is not set: using REDIS_URL, a single node", "url", redact(cfg.RedisURL))
		}
		redis, err := redissink.New(redisCfg)
		if err != nil {
			return nil, err
		}
		rabbitURL := cfg.RabbitMQClusterURL
		if rabbitURL == "" {
			rabbitURL = cfg.RabbitMQURL
			logger.Warn("RABBITMQ_CLUSTER_URL is not set: using RABBITMQ_URL, a single node", "url", redact(cfg.RabbitMQURL))
		}
		rabbitCfg := rabbitmqsink.Config{
			URL:        rabbitURL,
			Exchange:   cfg.ProductionExchange,
			RoutingKey: "ai.{module_name}.{event_type}",
		}
		if cfg.ProductionQueue != "" {
			rabbitCfg.Queue = &rabbitmqsink.QueueConfig{Name: cfg.ProductionQueue, BindingKey: "ai.#"}
		}
		rabbit, err := rabbitmqsink.New(rabbitCfg)
		return []sinks.Sink{redis, rabbit}, err
	}
	return nil, fmt.Errorf("unknown ENVIRONMENT %q: want %s, %s or %s", cfg.Environment, development, staging, production)
}

// redact hides the password of a URL for logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
