package redissink_test

import (
	"context"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
)

// New must not touch the network, not even to resolve a host name: it runs
// while a program starts and must not block it.
func TestNewResolvesNothing(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		before := goleak.IgnoreCurrent()
		s, err := redissink.New(redissink.Config{URL: "redis://redis.invalid:6379/0", Cluster: cluster})
		if err != nil {
			t.Fatal(err)
		}
		if err := goleak.Find(before); err != nil {
			t.Errorf("cluster=%v: New left goroutines running: %v", cluster, err)
		}
		s.Close(context.Background())
	}
}
