package redissink_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// clusterNodes is the size of the test cluster: the smallest Redis accepts.
const clusterNodes = 3

// startCluster starts a Redis Cluster of three masters on free loopback
// ports, in processes killed when t ends, and returns the nodes' addresses.
//
// It skips t when redis-server or redis-cli is missing, or when the cluster
// does not come up; under STREAMLL_REQUIRE_SERVICES=1 it fails t instead.
func startCluster(t *testing.T) []string {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		servicetest.Binary(t, bin, "start a local Redis Cluster of its own")
	}
	fail := func(format string, args ...any) {
		t.Helper()
		msg := "local Redis Cluster: " + fmt.Sprintf(format, args...)
		if servicetest.Required() {
			t.Fatal(msg + " (STREAMLL_REQUIRE_SERVICES=1)")
		}
		t.Skip(msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	dir := t.TempDir()
	addrs := make([]string, 0, clusterNodes)
	for range clusterNodes {
		port, err := freeClusterPort()
		if err != nil {
			fail("%v", err)
		}
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		startNode(t, dir, port)
		addrs = append(addrs, addr)
	}
	for _, addr := range addrs {
		if err := awaitListening(ctx, addr); err != nil {
			fail("node %s did not start: %v (log in %s)", addr, err, dir)
		}
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, "redis-cli", args...).CombinedOutput(); err != nil {
		fail("redis-cli --cluster create: %v\n%s", err, out)
	}
	for _, addr := range addrs {
		err := awaitNode(ctx, addr, func(c *redis.Client) error {
			info, err := c.ClusterInfo(ctx).Result()
			if err == nil && !strings.Contains(info, "cluster_state:ok") {
				err = errors.New("cluster_state is not ok yet")
			}
			return err
		})
		if err != nil {
			fail("node %s: %v", addr, err)
		}
	}
	return addrs
}

// freeClusterPort finds a loopback port that is free together with its
// cluster bus port (port+10000), below the ephemeral range.
func freeClusterPort() (int, error) {
	for range 50 {
		port := 20000 + rand.IntN(9000)
		if portFree(port) && portFree(port+10000) {
			return port, nil
		}
	}
	return 0, errors.New("no free port pair found in 20000-39000")
}

func portFree(port int) bool {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// startNode runs one cluster node until t ends.
func startNode(t *testing.T, dir string, port int) {
	t.Helper()
	p := strconv.Itoa(port)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "redis-server",
		"--port", p, "--bind", "127.0.0.1",
		"--cluster-enabled", "yes",
		"--cluster-config-file", filepath.Join(dir, "nodes-"+p+".conf"),
		"--dir", dir, "--logfile", filepath.Join(dir, "redis-"+p+".log"),
		"--save", "", "--appendonly", "no", "--daemonize", "no")
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("redis-server: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait() // killed
	})
}

// awaitListening waits until addr accepts TCP connections or ctx ends.
func awaitListening(ctx context.Context, addr string) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// awaitNode retries check against addr until it succeeds or ctx ends.
func awaitNode(ctx context.Context, addr string, check func(*redis.Client) error) error {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := check(c)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

func newClusterClient(t *testing.T, addrs []string) *redis.ClusterClient {
	c := redis.NewClusterClient(&redis.ClusterOptions{
		Addrs:                 addrs,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

// customerStreams lists the streams that the template prefix:{tag:customer_id}
// spreads sinktest.MakeEvents over.
func customerStreams(prefix string) []string {
	keys := []string{prefix + ":unknown"}
	for i := range 5 {
		keys = append(keys, prefix+":c-"+strconv.Itoa(i))
	}
	return keys
}

func TestCluster(t *testing.T) {
	addrs := startCluster(t)
	rdb := newClusterClient(t, addrs)

	t.Run("ShardedStreamsSpanNodes", func(t *testing.T) {
		nodes := map[string]bool{}
		for _, key := range customerStreams("events") {
			node, err := rdb.MasterForKey(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			nodes[node.Options().Addr] = true
		}
		if len(nodes) < 2 {
			t.Fatalf("the customer streams all hash to %v; the cross-slot tests below would not cross nodes", nodes)
		}
	})

	// The conformance suite, through a caller's ClusterClient, with events
	// sharded over streams on several nodes: each pipeline crosses slots.
	// The streams are merged by timestamp, as a consumer of sharded streams
	// does, after checking that each stream is in order on its own.
	t.Run("Conformance", func(t *testing.T) {
		h := &harness{rdb: rdb, newConfig: func(t *testing.T, key string) redissink.Config {
			deleteAtEnd(t, rdb, customerStreams(key)...)
			return redissink.Config{Client: rdb, StreamKey: key + ":{tag:customer_id}"}
		}}
		h.read = func(ctx context.Context, t *testing.T, key string, _ int) []events.Event {
			return mergeStreams(ctx, t, rdb, customerStreams(key))
		}
		h.run(t)
	})

	t.Run("ClusterURL", func(t *testing.T) {
		key := streamKey(t, rdb)
		deleteAtEnd(t, rdb, customerStreams(key)...)
		url := "redis://" + addrs[0] + "?addr=" + addrs[1]
		s := newSink(t, redissink.Config{URL: url, Cluster: true, StreamKey: key + ":{tag:customer_id}"})
		batch := sinktest.MakeEvents(30, "cluster-url")
		if err := write(t, s, batch); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
		defer cancel()
		if got := mergeStreams(ctx, t, rdb, customerStreams(key)); !slices.Equal(ids(got), ids(batch)) {
			t.Errorf("streams hold %v, want %v", ids(got), ids(batch))
		}
	})

	// A pipeline split over nodes where one node's key has the wrong type:
	// exactly that key's events are reported, the rest are delivered once.
	t.Run("PartialFailureAcrossNodes", func(t *testing.T) {
		key := streamKey(t, rdb)
		streams := customerStreams(key)
		deleteAtEnd(t, rdb, streams...)
		bad := key + ":c-1"
		if err := rdb.Set(t.Context(), bad, "a string", 0).Err(); err != nil {
			t.Fatal(err)
		}
		s := newSink(t, redissink.Config{Client: rdb, StreamKey: key + ":{tag:customer_id}"})
		batch := sinktest.MakeEvents(20, "cluster-partial")
		var wantFailed []int
		var wantGood []*events.Event
		for i, ev := range batch {
			if ev.Tags["customer_id"] == "c-1" {
				wantFailed = append(wantFailed, i)
			} else {
				wantGood = append(wantGood, ev)
			}
		}
		checkPermanentFailures(t, write(t, s, batch), wantFailed, bad)
		ctx, cancel := context.WithTimeout(t.Context(), waitTimeout)
		defer cancel()
		good := slices.DeleteFunc(slices.Clone(streams), func(k string) bool { return k == bad })
		if got := mergeStreams(ctx, t, rdb, good); !slices.Equal(ids(got), ids(wantGood)) {
			t.Errorf("good streams hold %v, want %v", ids(got), ids(wantGood))
		}
	})
}

// mergeStreams reads keys, checks that each is in timestamp order (the
// first copy of each event: a re-sent event is appended again), and merges
// them by timestamp. It does not wait: Write is synchronous, so once it has
// returned nil every entry it wrote is in its stream.
func mergeStreams(ctx context.Context, t *testing.T, rdb redis.UniversalClient, keys []string) []events.Event {
	t.Helper()
	var all []events.Event
	for _, key := range keys {
		msgs, err := rdb.XRange(ctx, key, "-", "+").Result()
		if err != nil {
			t.Errorf("XRANGE %s: %v", key, err)
		}
		evs := decode(t, msgs, "event")
		seen := map[string]bool{}
		firsts := slices.DeleteFunc(slices.Clone(evs), func(ev events.Event) bool {
			again := seen[ev.EventID]
			seen[ev.EventID] = true
			return again
		})
		if !sort.SliceIsSorted(firsts, func(i, j int) bool { return firsts[i].Timestamp.Before(firsts[j].Timestamp) }) {
			t.Errorf("stream %s is out of order: %v", key, ids(evs))
		}
		all = append(all, evs...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Timestamp.Before(all[j].Timestamp) })
	return all
}
