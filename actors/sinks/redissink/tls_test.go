package redissink_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestRediss writes to a redis-server of the test's own that serves TLS
// only, with a certificate a CA of the test's own signed: Config.TLS
// trusts that CA, the system's roots do not, and ?skip_verify=true skips
// the check.
func TestRediss(t *testing.T) {
	srv := servicetest.StartRedisTLSServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, TLSConfig: srv.TLS.ClientConfig()})
	t.Cleanup(func() { rdb.Close() })

	t.Run("private CA", func(t *testing.T) {
		key := servicetest.Name(t, "redissink")
		s := newSink(t, redissink.Config{URL: srv.URL(), TLS: srv.TLS.ClientConfig(), StreamKey: key})
		batch := sinktest.MakeEvents(50, "tls")
		if err := write(t, s, batch); err != nil {
			t.Fatalf("Write over TLS: %v", err)
		}
		if got := ids(readEvents(t, rdb, key, len(batch))); !slices.Equal(got, ids(batch)) {
			t.Fatalf("read back %d events %v, want %v", len(got), got, ids(batch))
		}
	})
	t.Run("system roots", func(t *testing.T) {
		s := newSink(t, redissink.Config{URL: srv.URL(), StreamKey: servicetest.Name(t, "redissink")})
		err := write(t, s, sinktest.MakeEvents(3, "tls"))
		if err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Fatalf("Write to a server whose CA the system does not trust: %v, want a certificate error", err)
		}
		t.Logf("Write with the system's roots: %v", err)
	})
	t.Run("skip_verify", func(t *testing.T) {
		key := servicetest.Name(t, "redissink")
		s := newSink(t, redissink.Config{URL: srv.URL() + "?skip_verify=true", StreamKey: key})
		batch := sinktest.MakeEvents(5, "tls")
		if err := write(t, s, batch); err != nil {
			t.Fatalf("Write with skip_verify: %v", err)
		}
		if got := readEvents(t, rdb, key, len(batch)); len(got) != len(batch) {
			t.Fatalf("read back %d events, want %d", len(got), len(batch))
		}
	})
}
