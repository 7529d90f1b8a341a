//go:build faults

package faulttests

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/natssink"
	"github.com/streamll/streamll-go/actors/supervisor"
)

// These tests start nats-server processes of their own and kill them; they
// never touch the shared server. They run in their own CI step:
//
//	go test -tags faults -count=1 -run NATS ./internal/faulttests/

// natsRecovery makes a failover observable within a test's time.
var natsRecovery = sinks.Options{
	Name:         "nats",
	BufferSize:   200_000,
	WriteTimeout: 2 * time.Second,
	Retry:        supervisor.Retry{InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond},
	Breaker:      supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 500 * time.Millisecond},
}

// TestNATSRestart kills a single JetStream server (SIGKILL) in the middle of
// a 5K events/s stream and starts it again on the same store 2s later: the
// file stream keeps what it acked, the sink rides out the outage, and the
// stream ends up holding every event exactly once, in order.
func TestNATSRestart(t *testing.T) {
	srv := newNATSServer(t, "restart", natsRestartPort, 0, nil)
	srv.start()
	js := adminJS(t, srv.url())
	const stream = "STREAMLL_RESTART"
	retry(t, "creating the stream", func(ctx context.Context) error {
		_, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: stream, Subjects: []string{"restart.>"}, Storage: jetstream.FileStorage})
		return err
	})
	ns, err := natssink.New(natssink.Config{
		URL: srv.url(), Stream: stream, Subject: "restart.{event_type}", ReconnectWait: 50 * time.Millisecond,
		Options: natsRecovery,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBus(t, ns)

	const rate, total = 5000, 30000 // 6s
	w := watch(b, "nats")
	restarted := make(chan error, 1)
	emitAtRate(t, b, rate, total, func(i int) {
		if i == 10000 {
			srv.kill()
			time.AfterFunc(2*time.Second, func() { restarted <- srv.tryStart() })
		}
	})
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if err := closeBus(t, b, time.Minute); err != nil {
		t.Fatal(err)
	}
	seen := w.stop()
	h := health(b, "nats")
	t.Logf("health: delivered %d, failed attempts %d, circuit states %v, reconnects %d", h.Delivered, h.FailedAttempts, seen, ns.Reconnects())
	if h.Delivered != total || h.DroppedTotal() != 0 || h.FailedAttempts == 0 {
		t.Errorf("health = %+v; want every event delivered after failed attempts", h)
	}
	if ns.Reconnects() == 0 {
		t.Error("the sink never reconnected")
	}
	checkExactlyOnce(t, total, readNATSStream(t, js, stream))
}

// TestNATSClusterFailover is the cluster proof: a 3-node JetStream cluster
// on loopback ports, an R3 file stream, a bus publishing at 5K events/s.
// Mid-run the stream leader's process is killed (SIGKILL) and restarted 3s
// later. The stream must hold every event exactly once (counted by
// event_id), in order; the stream must have a new leader; and Health must
// show the failover.
func TestNATSClusterFailover(t *testing.T) {
	nodes := startCluster(t)
	urls := make([]string, len(nodes))
	for i, n := range nodes {
		urls[i] = n.url()
	}
	js := adminJS(t, urls...)
	const stream = "STREAMLL_FAILOVER"
	var info *jetstream.StreamInfo
	retry(t, "creating the R3 stream", func(ctx context.Context) error {
		st, err := js.CreateStream(ctx, jetstream.StreamConfig{
			Name: stream, Subjects: []string{"failover.>"}, Storage: jetstream.FileStorage, Replicas: 3,
		})
		if err != nil {
			return err
		}
		info, err = st.Info(ctx)
		if err == nil && (info.Cluster == nil || info.Cluster.Leader == "" || len(info.Cluster.Replicas) != 2) {
			err = context.DeadlineExceeded // not all replicas are in yet
		}
		return err
	})
	leaderName := info.Cluster.Leader
	var leader *natsServer
	order := []string{} // the leader first, so that the sink loses its server too
	for _, n := range nodes {
		if n.name == leaderName {
			leader = n
			order = append([]string{n.url()}, order...)
		} else {
			order = append(order, n.url())
		}
	}
	if leader == nil {
		t.Fatalf("the stream's leader %q is none of the nodes", leaderName)
	}
	t.Logf("stream %s: leader %s, replicas %s and %s", stream, leaderName, info.Cluster.Replicas[0].Name, info.Cluster.Replicas[1].Name)

	ns, err := natssink.New(natssink.Config{
		URLs: order, NoRandomize: true, Stream: stream, Subject: "failover.{event_type}",
		ReconnectWait: 50 * time.Millisecond, Options: natsRecovery,
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBus(t, ns)

	const rate, total, killAt = 5000, 50000, 15000 // 10s, the kill at 3s
	w := watch(b, "nats")
	var failedAtKill atomic.Uint64
	restarted := make(chan error, 1)
	emitAtRate(t, b, rate, total, func(i int) {
		if i == killAt {
			failedAtKill.Store(health(b, "nats").FailedAttempts)
			leader.kill()
			time.AfterFunc(3*time.Second, func() { restarted <- leader.tryStart() })
		}
	})
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if err := closeBus(t, b, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	seen := w.stop()
	h := health(b, "nats")
	t.Logf("health: delivered %d, failed attempts %d (%d before the kill), circuit states %v, reconnects %d, last error %q",
		h.Delivered, h.FailedAttempts, failedAtKill.Load(), seen, ns.Reconnects(), h.LastError)
	if h.Delivered != total || h.DroppedTotal() != 0 {
		t.Errorf("health = %+v; want every event delivered, none dropped", h)
	}
	if h.FailedAttempts == failedAtKill.Load() || ns.Reconnects() == 0 {
		t.Errorf("the failover does not show: %d failed attempts (%d before the kill), %d reconnects", h.FailedAttempts, failedAtKill.Load(), ns.Reconnects())
	}

	retry(t, "the stream's info", func(ctx context.Context) error {
		st, err := js.Stream(ctx, stream)
		if err == nil {
			info = st.CachedInfo()
		}
		return err
	})
	if info.Cluster == nil || info.Cluster.Leader == leaderName {
		t.Errorf("the stream's leader is still %s after it was killed", leaderName)
	} else {
		t.Logf("new leader %s", info.Cluster.Leader)
	}
	checkExactlyOnce(t, total, readNATSStream(t, js, stream))
}
