//go:build faults

package faulttests

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

var (
	crashKills   = flag.Int("crash.kills", 8, "TestSpoolCrashOracle: how many times the producer is killed with SIGKILL (the issue's figure is 20)")
	outageLength = flag.Duration("outage.length", 60*time.Second, "TestSpoolOutlastsALongOutage: how long Redis is cut")
)

// The producer's side of the crash oracle runs in a child process: the test
// binary again, with these variables set.
const (
	childEnv = "STREAMLL_SPOOL_CHILD" // the life number
	childRun = "TestSpoolCrashChild"
)

// spoolOpts are the options of a spooled sink in these tests: retries quick
// enough for a test, the default buffer.
func spoolOpts(name, dir string) sinks.Options {
	return sinks.Options{Name: name, Spool: sinks.Spool{Dir: dir},
		Retry:   supervisor.Retry{InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond},
		Breaker: supervisor.BreakerPolicy{FailureThreshold: 3, RecoveryTimeout: 300 * time.Millisecond}}
}

// TestSpoolCrashOracle kills the producer with SIGKILL at random moments,
// many times in a row, and starts it again on the same spools. The producer
// emits at about 10K events/s into a spooled Redis sink and a spooled
// RabbitMQ sink, and every 50 ms calls Flush and then writes down (fsync)
// the last event the Flush covered: that event and every one before it are
// durable. The oracle, over every life:
//   - every event recorded durable is delivered, to both sinks, at least once;
//   - an event delivered twice has the same event_id both times (duplicates
//     only by event_id, never two events for one number);
//   - per sink, first deliveries come in emission order (lives in order, and
//     the events of a life in order);
//   - the last life, which ends with Close, loses nothing: Close returns nil.
func TestSpoolCrashOracle(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("the parent's test")
	}
	r := newRedis(t)
	q := newRabbit(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waitRabbit := q.consume(t, ctx)
	work := t.TempDir()
	durable := filepath.Join(work, "durable")
	lives := *crashKills + 1
	for life := range lives {
		last := life == lives-1
		cmd := exec.Command(os.Args[0], "-test.run=^"+childRun+"$", "-test.count=1", "-test.timeout=2m")
		cmd.Env = append(os.Environ(), childEnv+"="+strconv.Itoa(life), "SPOOL_WORK="+work,
			"SPOOL_REDIS_URL="+r.url, "SPOOL_REDIS_KEY="+r.key, "SPOOL_RABBIT_URL="+q.url,
			"SPOOL_RABBIT_EXCHANGE="+q.exchange, "SPOOL_RABBIT_QUEUE="+q.queue)
		if last {
			cmd.Env = append(cmd.Env, "SPOOL_LAST=1")
		}
		out, err := os.Create(filepath.Join(work, fmt.Sprintf("life-%d.log", life)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if last {
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("the last life failed (%v): %s", err, readFile(t, out.Name()))
				}
			case <-time.After(90 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
				t.Fatalf("the last life did not end: %s", readFile(t, out.Name()))
			}
			out.Close()
			break
		}
		select {
		case <-time.After(time.Duration(300+rand.IntN(1200)) * time.Millisecond):
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-exited
		case err := <-exited:
			t.Fatalf("life %d ended before it was killed (%v): %s", life, err, readFile(t, out.Name()))
		}
		out.Close()
	}

	marks := durableMarks(t, durable)
	waitFor(t, "the queue to hold every durable event", func() bool { return covers(q.received(), marks) })
	cancel()
	waitRabbit()
	for _, c := range []struct {
		sink string
		got  []events.Event
	}{{"redis", r.readAll(t)}, {"rabbitmq", q.received()}} {
		checkOracle(t, c.sink, c.got, marks)
	}
}

// durableMarks reads what the producer wrote down: per life, the last event
// number a Flush covered (-1 when none).
func durableMarks(t *testing.T, path string) map[int]int {
	t.Helper()
	marks := map[int]int{}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var life, n int
		if _, err := fmt.Sscanf(sc.Text(), "%d %d", &life, &n); err == nil {
			marks[life] = max(marks[life], n)
		}
	}
	return marks
}

// key splits an event's operation "L<life>-<n>".
func key(ev events.Event) (life, n int, ok bool) {
	_, err := fmt.Sscanf(ev.Operation, "L%d-%d", &life, &n)
	return life, n, err == nil
}

func covers(got []events.Event, marks map[int]int) bool {
	seen := map[[2]int]bool{}
	for _, ev := range got {
		if life, n, ok := key(ev); ok {
			seen[[2]int{life, n}] = true
		}
	}
	for life, mark := range marks {
		for n := 0; n <= mark; n++ {
			if !seen[[2]int{life, n}] {
				return false
			}
		}
	}
	return true
}

func checkOracle(t *testing.T, sink string, got []events.Event, marks map[int]int) {
	t.Helper()
	idOf := map[[2]int]string{}
	prev := [2]int{-1, -1}
	dups := 0
	for _, ev := range got {
		life, n, ok := key(ev)
		if !ok {
			t.Fatalf("%s: unexpected event %+v", sink, ev)
		}
		k := [2]int{life, n}
		if id, seen := idOf[k]; seen {
			if id != ev.EventID {
				t.Fatalf("%s: event L%d-%d delivered twice with two event_ids (%s, %s)", sink, life, n, id, ev.EventID)
			}
			dups++
			continue
		}
		idOf[k] = ev.EventID
		if life < prev[0] || life == prev[0] && n <= prev[1] {
			t.Fatalf("%s: L%d-%d delivered after L%d-%d: order broken", sink, life, n, prev[0], prev[1])
		}
		prev = k
	}
	durableEvents := 0
	for life, mark := range marks {
		for n := 0; n <= mark; n++ {
			if _, ok := idOf[[2]int{life, n}]; !ok {
				t.Fatalf("%s: L%d-%d was recorded durable and never delivered", sink, life, n)
			}
			durableEvents++
		}
	}
	t.Logf("%s: %d events delivered (%d recorded durable), %d duplicates, over %d lives", sink, len(idOf), durableEvents, dups, len(marks))
}

// TestSpoolCrashChild is the producer of TestSpoolCrashOracle; it runs only
// in the child process.
func TestSpoolCrashChild(t *testing.T) {
	lifeText := os.Getenv(childEnv)
	if lifeText == "" {
		t.Skip("runs as the child of TestSpoolCrashOracle")
	}
	life, _ := strconv.Atoi(lifeText)
	work := os.Getenv("SPOOL_WORK")
	rs := (&testRedis{key: os.Getenv("SPOOL_REDIS_KEY")}).sink(t, os.Getenv("SPOOL_REDIS_URL"), spoolOpts("redis", filepath.Join(work, "redis")))
	q := &testRabbit{url: os.Getenv("SPOOL_RABBIT_URL"), exchange: os.Getenv("SPOOL_RABBIT_EXCHANGE"), queue: os.Getenv("SPOOL_RABBIT_QUEUE"), connName: "spool-child"}
	qs := q.sink(t, spoolOpts("rabbitmq", filepath.Join(work, "rabbitmq")))
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{rs, qs}})
	if err != nil {
		t.Fatal(err)
	}
	marks, err := os.OpenFile(filepath.Join(work, "durable"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	total := 1 << 30 // until killed
	if os.Getenv("SPOOL_LAST") != "" {
		total = 5000
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	lastFlush := time.Now()
	for n := 0; n < total; {
		for range 10 { // ~10K events/s
			b.Emit(events.Event{EventType: "audit", Operation: fmt.Sprintf("L%d-%d", life, n)})
			n++
		}
		<-tick.C
		if time.Since(lastFlush) >= 50*time.Millisecond {
			lastFlush = time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := b.Flush(ctx)
			cancel()
			if err == nil {
				// Every event up to n-1 is now durable in both spools.
				fmt.Fprintf(marks, "%d %d\n", life, n-1)
				if err := marks.Sync(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := b.Close(ctx); err != nil {
		t.Fatalf("the last life's Close: %v", err)
	}
}

func readFile(t *testing.T, path string) string {
	b, _ := os.ReadFile(path)
	s := string(b)
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return strings.TrimSpace(s)
}

// TestSpoolOutlastsALongOutage cuts Redis for a minute (-outage.length)
// under a steady 10K events/s, ten times what the sink's memory buffer
// holds: with a spool nothing is dropped, every event arrives in order
// after the outage, and the heap stays flat while the outage lasts.
func TestSpoolOutlastsALongOutage(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("the parent's test")
	}
	r := newRedis(t)
	proxy := faultproxy.New(t, r.addr)
	b := newBus(t, r.sink(t, "redis://"+proxy.Addr(), spoolOpts("redis", t.TempDir())))
	const rate = 10000
	total := int(outageLength.Seconds() * rate)
	proxy.Cut()
	var heap []uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = append(heap, ms.HeapAlloc)
	}
	emitAtRate(t, b, rate, total, func(i int) {
		if i%rate == 0 {
			sample()
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.Flush(ctx); err != nil { // durable in the spool, though Redis is cut
		t.Fatal(err)
	}
	h := health(b, "redis")
	if h.DroppedTotal() != 0 || h.Buffered != total || h.Delivered != 0 {
		t.Fatalf("after the outage: %+v", h)
	}
	// Flat: no more than 64 MiB above the first second's heap, whatever the
	// outage's length (600K events of ~300 bytes would be 170 MiB in memory).
	for i, v := range heap {
		if v > heap[0]+64<<20 {
			t.Errorf("heap at second %d: %d MiB, at the start %d MiB", i, v>>20, heap[0]>>20)
		}
	}
	proxy.Restore()
	if err := closeBus(t, b, 5*time.Minute); err != nil {
		var ce *bus.CloseError
		if errors.As(err, &ce) {
			t.Fatalf("Close after the outage: %v", err)
		}
		t.Fatal(err)
	}
	checkStream(t, total, r.readAll(t))
	t.Logf("heap per second during the outage (MiB): %v", mibs(heap))
}

func mibs(v []uint64) []uint64 {
	out := make([]uint64, len(v))
	for i, x := range v {
		out[i] = x >> 20
	}
	return out
}
