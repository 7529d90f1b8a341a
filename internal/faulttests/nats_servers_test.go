//go:build faults

package faulttests

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// The NATS tests start servers of their own on these loopback ports, so
// they never touch the shared server on 4222 and may kill what they start.
const (
	natsRestartPort = 14220 // the single server of TestNATSRestart
	natsClientBase  = 14230 // client ports of the cluster's nodes: 14231..14233
	natsRouteBase   = 14240 // route ports: 14241..14243
)

// natsServer is a nats-server process the test started, with JetStream and
// a store directory of its own.
type natsServer struct {
	t    *testing.T
	bin  string
	name string
	port int
	args []string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
}

// url returns the server's client URL.
func (s *natsServer) url() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

// newNATSServer prepares a server named name on port; routes, if given,
// make it a node of the cluster "streamll-test" listening for routes on
// routePort. Start starts it; the test's cleanup kills it and removes its
// store.
func newNATSServer(t *testing.T, name string, port, routePort int, routes []string) *natsServer {
	t.Helper()
	dir := t.TempDir()
	s := &natsServer{
		t: t, bin: servicetest.NATSServer(t), name: name, port: port,
		log: filepath.Join(dir, "server.log"),
	}
	s.args = []string{"-n", name, "-a", "127.0.0.1", "-p", strconv.Itoa(port), "-js", "-sd", filepath.Join(dir, "store"), "-l", s.log}
	if len(routes) > 0 {
		s.args = append(s.args, "--cluster_name", "streamll-test", "--cluster", fmt.Sprintf("nats://127.0.0.1:%d", routePort),
			"--routes", strings.Join(routes, ","))
	}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			if b, err := os.ReadFile(s.log); err == nil {
				t.Logf("--- %s log (last 3000 bytes):\n%s", name, tail(string(b), 3000))
			}
		}
	})
	return s
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// start starts the process and waits, at most 30s, until it accepts
// connections, failing the test otherwise.
func (s *natsServer) start() {
	s.t.Helper()
	if err := s.tryStart(); err != nil {
		s.t.Fatal(err)
	}
}

// tryStart is start without the testing.T, for a goroutine of the test's.
func (s *natsServer) tryStart() error {
	addr := "127.0.0.1:" + strconv.Itoa(s.port)
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		return fmt.Errorf("port %d, where %s would listen, is taken by another process (a server left by an interrupted run?)", s.port, s.name)
	}
	cmd := exec.Command(s.bin, s.args...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.name, err)
	}
	s.cmd, s.done = cmd, make(chan struct{})
	done := s.done
	go func() { _ = cmd.Wait(); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("%s exited at start (port %d taken?); see its log %s", s.name, s.port, s.log)
		case <-time.After(20 * time.Millisecond): // a process coming up has nothing to await
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s does not accept connections on port %d after 30s", s.name, s.port)
		}
	}
}

// kill kills the process (SIGKILL: no goodbye to clients or peers) and
// waits for it to exit. Killing a server that is not running does nothing.
func (s *natsServer) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// startCluster starts a 3-node JetStream cluster on the loopback ports
// above and waits until it has a meta leader.
func startCluster(t *testing.T) []*natsServer {
	t.Helper()
	var routes []string
	for i := 1; i <= 3; i++ {
		routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", natsRouteBase+i))
	}
	nodes := make([]*natsServer, 3)
	for i := range nodes {
		nodes[i] = newNATSServer(t, fmt.Sprintf("n%d", i+1), natsClientBase+i+1, natsRouteBase+i+1, routes)
		nodes[i].start()
	}
	js := adminJS(t, nodes[0].url())
	retry(t, "the cluster's JetStream to answer", func(ctx context.Context) error {
		_, err := js.AccountInfo(ctx)
		return err
	})
	return nodes
}

// adminJS connects to url for setting up and reading back streams; the
// connection is closed when t ends.
func adminJS(t *testing.T, urls ...string) jetstream.JetStream {
	t.Helper()
	nc, err := nats.Connect(strings.Join(urls, ","), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// retry calls f until it succeeds, at most 60s, each call bounded by 5s; a
// cluster electing its leaders answers nothing for a few seconds.
func retry(t *testing.T, what string, f func(ctx context.Context) error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := f(ctx)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond) // nothing to await on a cluster electing leaders
	}
}

// readNATSStream reads every message of the stream through an ordered
// consumer, until it has as many as the stream holds.
func readNATSStream(t *testing.T, js jetstream.JetStream, name string) []events.Event {
	t.Helper()
	var st jetstream.Stream
	retry(t, "stream "+name, func(ctx context.Context) (err error) {
		st, err = js.Stream(ctx, name)
		return err
	})
	total := int(st.CachedInfo().State.Msgs)
	// A cluster that has just lost its leader can leave a consumer's create
	// request unanswered: ask again rather than wait out one request.
	var c jetstream.Consumer
	retry(t, "an ordered consumer on "+name, func(ctx context.Context) (err error) {
		c, err = st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{})
		return err
	})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got := make([]events.Event, 0, total)
	for len(got) < total && ctx.Err() == nil {
		batch, err := c.Fetch(min(total-len(got), 5000), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatalf("fetching from %s: %v", name, err)
		}
		for m := range batch.Messages() {
			ev, err := events.Unmarshal(m.Data())
			if err != nil {
				t.Fatalf("message %s: %v", m.Subject(), err)
			}
			if id := m.Headers().Get(jetstream.MsgIDHeader); id != ev.EventID {
				t.Fatalf("message has Nats-Msg-Id %q, event_id %q", id, ev.EventID)
			}
			got = append(got, ev)
		}
	}
	if len(got) != total {
		t.Fatalf("read %d of the %d messages of %s", len(got), total, name)
	}
	return got
}

// checkExactlyOnce checks a stream of emitted events numbered 0..emitted-1:
// each is there exactly once (counted by event_id), in order.
func checkExactlyOnce(t *testing.T, emitted int, got []events.Event) {
	t.Helper()
	count := make(map[string]int, len(got))
	for _, ev := range got {
		count[ev.EventID]++
	}
	dups := 0
	for _, n := range count {
		dups += n - 1
	}
	if dups > 0 || len(count) != emitted {
		t.Errorf("the stream holds %d distinct events of %d emitted, and %d duplicates; want each exactly once", len(count), emitted, dups)
	}
	for i, ev := range got {
		if ev.Operation != strconv.Itoa(i) {
			t.Fatalf("message %d of the stream is event %s: out of order", i, ev.Operation)
		}
	}
}
