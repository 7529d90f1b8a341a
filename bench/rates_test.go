package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestRawRedisLoopBurstsEveryMillisecond checks the go-redis loop beside the
// bus does the bus's work: it makes its events every millisecond, as the
// bus's producers do, while it sends them only every period, and it sends
// every event it made, the last partial period included. Redis stamps an
// entry's id with the millisecond it appended it, so a pipeline's entries
// share few id milliseconds, while their events carry the milliseconds
// they were made in.
func TestRawRedisLoopBurstsEveryMillisecond(t *testing.T) {
	url := servicetest.RedisURL(t)
	client, err := newRedisClient(url, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	key := servicetest.Name(t, "bench_raw_loop")
	ctx := context.Background()
	defer client.Del(ctx, key)

	const every = 20 * time.Millisecond
	n, err := rawRedisLoop(ctx, client, key, 2000, 300*time.Millisecond, every, newWorkload(200))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := client.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || uint64(len(entries)) != n {
		t.Fatalf("made %d events, the stream holds %d", n, len(entries))
	}
	made, appended := map[int64]bool{}, map[string]bool{}
	for _, e := range entries {
		payload, _ := e.Values[redissink.DefaultField].(string)
		_, ts, ok := parseIDTime([]byte(payload))
		if !ok {
			t.Fatalf("entry %s: no event id and time in %q", e.ID, payload)
		}
		made[ts.UnixMilli()] = true
		appended[e.ID[:strings.IndexByte(e.ID, '-')]] = true
	}
	// About 300 bursts against about 15 pipelines (each may straddle a
	// millisecond on the server); a loop that made its events only when it
	// sent them would have as many of one as of the other.
	if len(made) < 3*len(appended) {
		t.Errorf("events made in %d distinct milliseconds, appended in %d: the loop does not make its events in 1 ms bursts", len(made), len(appended))
	}
	if most := int(300*time.Millisecond/(every-tickEvery/2)) + 2; len(appended) > 2*most {
		t.Errorf("appended in %d distinct milliseconds, more than two per pipeline of at most %d: the loop sends more often than every %v", len(appended), most, every)
	}
}

func TestWriteRatesHasAColumnPerLoop(t *testing.T) {
	pts := []RatePoint{
		{Rate: 10000, Sink: kindRedis, Linger: "2ms", BusCPUus: 12, ControlCPUus: 4, CoreShare: 0.12,
			Raw: []RawLoop{{Every: "1ms", CPUus: 24}, {Every: "20ms", CPUus: 13}}},
		{Rate: 1000, Sink: kindMemory, Linger: "2ms", BusCPUus: 8, ControlCPUus: 4, CoreShare: 0.01},
	}
	var out strings.Builder
	writeRates(&out, pts)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("want a caption, a head and two rows:\n%s", out.String())
	}
	for _, want := range []string{"go-redis 1ms", "go-redis 20ms", "bus ÷ go-redis 1ms"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("head %q lacks %q", lines[1], want)
		}
	}
	redis, memory := strings.Fields(lines[2]), strings.Fields(lines[3])
	// rate, sink, linger, bus, no bus, the two loops, the ratio, the share, p50, p99
	if got := strings.Join(redis[5:9], " "); got != "24.00 13.00 0.50 12.0%" {
		t.Errorf("redis row: loops, ratio and share = %q\n%s", got, out.String())
	}
	if got := strings.Join(memory[5:9], " "); got != "- - - 1.0%" {
		t.Errorf("memory row: loops, ratio and share = %q\n%s", got, out.String())
	}
}
