package redissink_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// The seed's production sink: the stream the dashboard reads, trimmed, with
// the host's buffer and breaker tuned as in the Python example.
func ExampleNew() {
	sink, err := redissink.New(redissink.Config{
		Options: sinks.Options{
			BufferSize: 10000,
			Breaker:    supervisor.BreakerPolicy{FailureThreshold: 5, RecoveryTimeout: 30 * time.Second},
		},
		URL:       os.Getenv("REDIS_URL"), // empty: redis://localhost:6379
		StreamKey: "ai_platform_events",
		MaxLen:    100_000,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close(context.Background())
	// Hand sink to the bus.
}

// A platform that keeps one stream per customer on a Redis Cluster, through
// a client it configures and closes itself.
func ExampleConfig_cluster() {
	opts, err := redis.ParseClusterURL(os.Getenv("REDIS_CLUSTER_URL"))
	if err != nil {
		log.Fatal(err)
	}
	opts.ContextTimeoutEnabled = true // let Write give up when its context does
	client := redis.NewClusterClient(opts)
	defer client.Close() // after the sink's Close: the caller owns the client

	sink, err := redissink.New(redissink.Config{
		Client:    client,
		StreamKey: "events:{tag:customer_id}", // untagged events go to events:unknown
	})
	if err != nil {
		log.Fatal(err)
	}
	defer sink.Close(context.Background())
}

// go-redis logs some failures itself, to standard error, for the whole
// process. A program routes those lines into its own logger, once, at the
// start of main (or silences them with SetClientLogger(nil)).
func ExampleSetClientLogger() {
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	redissink.SetClientLogger(logger)
	defer logging.Enable() // only for this example: go-redis's default again
}
