package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestDashboardLoad measures the page while an application emits a steady
// rate of events: STREAMLL_DASHBOARD_LOAD=10000 (events/s) and
// STREAMLL_DASHBOARD_LOAD_DURATION (default 30s). The events are LLM calls
// of 50 customers, 8 at a time, each a start, 20 tokens and an end inside a
// traced forward call. With STREAMLL_DASHBOARD_LOAD_STREAM=KEY it emits
// nothing and watches that stream instead, for the duration, while another
// program writes to it (the bench command: -sink redis -rate 10000 -keep KEY). It reports the latency from an event's timestamp to
// the frame that showed it, the page's frame intervals, how long the page
// takes to answer a script (as it would a click), and the dashboard's memory.
func TestDashboardLoad(t *testing.T) {
	rate, _ := strconv.Atoi(os.Getenv("STREAMLL_DASHBOARD_LOAD"))
	if rate <= 0 {
		t.Skip("set STREAMLL_DASHBOARD_LOAD to an event rate, such as 10000, to measure the dashboard under load")
	}
	duration := 30 * time.Second
	if d, err := time.ParseDuration(os.Getenv("STREAMLL_DASHBOARD_LOAD_DURATION")); err == nil {
		duration = d
	}
	u := servicetest.RedisURL(t)
	key := os.Getenv("STREAMLL_DASHBOARD_LOAD_STREAM")
	external := key != ""
	if !external {
		key = servicetest.Name(t, "dashboard_load")
		opts, _ := redis.ParseURL(u)
		t.Cleanup(func() {
			rdb := redis.NewClient(opts)
			defer rdb.Close()
			_ = rdb.Del(context.Background(), key).Err()
		})
	}
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key, MaxLen: 200000, Options: sinks.Options{BufferSize: 100000}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := b.Close(ctx); err != nil {
			t.Errorf("bus.Close: %v", err)
		}
	}()
	d := startDashboard(t, u+"?stream="+key)
	ctx := browser(t, 1400, 1000)
	ctx, cancel := context.WithTimeout(ctx, duration+3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(d.url)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to connect", `document.getElementById("status").textContent === "live"`)

	warmup := min(5*time.Second, duration/5)
	load := newLoad(b)
	prodCtx, stopProd := context.WithTimeout(context.Background(), duration)
	defer stopProd()
	done := make(chan uint64, 1)
	if external {
		t.Logf("watching %s for %s: start the producer now", key, duration)
		go func() { <-prodCtx.Done(); done <- 0 }()
	} else {
		go func() { done <- load.run(prodCtx, rate) }()
	}

	var rss []int
	var answer []float64 // ms for the page to answer a script
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	reset := false
	var cpuStart time.Duration
	var steadyStart time.Time
	var emitted uint64
wait:
	for {
		select {
		case emitted = <-done:
			break wait
		case <-tick.C:
			if !reset && time.Since(start) >= warmup {
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
					`for (const k of ["latencies", "newest", "frames", "readLag"]) streamllStats[k].length = 0;`)); err != nil {
					t.Fatal(err)
				}
				reset = true
				cpuStart, steadyStart = d.cpu(t), time.Now()
			}
			if !reset {
				continue
			}
			t0 := time.Now()
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.now()`)); err != nil {
				t.Fatal(err)
			}
			answer = append(answer, float64(time.Since(t0).Microseconds())/1000)
			rss = append(rss, d.rss(t))
		}
	}
	elapsed := time.Since(start)
	cpuShare := float64(d.cpu(t)-cpuStart) / float64(time.Since(steadyStart))
	// The page has caught up when it counts every event emitted (the bus
	// delivers them all; the wait is for the pipeline to drain).
	caught := time.Now()
	if !external {
		waitJS(t, ctx, "the page to count every event", fmt.Sprintf(
			`document.getElementById("t-events").textContent.replaceAll(",", "") >= %d`, emitted))
	}
	lag := time.Since(caught)
	if external {
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("t-events").textContent.replaceAll(",", "")`))
		if err != nil {
			t.Fatal(err)
		}
		emitted, _ = strconv.ParseUint(shown, 10, 64)
	}

	type pageStats struct {
		Latencies, Newest, Frames, ReadLag []float64
		RenderBehind                       int
	}
	ps, err := chromedp.Run(ctx, chromedp.Evaluate[pageStats](
		`({Latencies: streamllStats.latencies, Newest: streamllStats.newest, Frames: streamllStats.frames, ReadLag: streamllStats.readLag, RenderBehind: streamllStats.renderBehind})`))
	if err != nil {
		t.Fatal(err)
	}
	shedText, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("shed").hidden ? "" : document.getElementById("shed").textContent`))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err == nil {
		saveScreenshot(t, "dashboard-load.png", png)
	}
	report := map[string]any{
		"rate_target":            rate,
		"events_emitted":         emitted,
		"rate_achieved":          float64(emitted) / elapsed.Seconds(),
		"duration_s":             elapsed.Seconds(),
		"event_to_dom_oldest_ms": percentiles(ps.Latencies),
		"event_to_dom_newest_ms": percentiles(ps.Newest),
		"frame_interval_ms":      percentiles(ps.Frames),
		"event_to_server_ms":     percentiles(ps.ReadLag),
		"script_answer_ms":       percentiles(answer),
		"render_behind_frames":   ps.RenderBehind,
		"dashboard_cpu_share":    cpuShare,
		"dashboard_rss_kib":      map[string]int{"first": rss[0], "max": slices.Max(rss), "last": rss[len(rss)-1]},
		"catch_up_after_stop_ms": lag.Milliseconds(),
		"shed_banner":            shedText,
	}
	js, _ := json.MarshalIndent(report, "", "  ")
	t.Logf("dashboard under load:\n%s", js)
	dir := os.Getenv("STREAMLL_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	_ = os.WriteFile(dir+"/dashboard-load.json", js, 0o644)
}

func percentiles(xs []float64) map[string]float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Sorted(slices.Values(xs))
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return map[string]float64{"p50": at(0.50), "p99": at(0.99), "max": s[len(s)-1], "n": float64(len(s))}
}

// load emits LLM calls at a steady rate: 8 concurrent calls, each a traced
// forward call with a nested llm_call of 20 tokens.
type load struct {
	b     *bus.Bus
	calls []*call
	n     int
}

type call struct {
	root, llm *bus.Execution
	step      int
}

const tokensPerCall = 20

func newLoad(b *bus.Bus) *load { return &load{b: b, calls: make([]*call, 8)} }

// next emits one event of one of the concurrent calls.
func (l *load) next() {
	i := l.n % len(l.calls)
	l.n++
	c := l.calls[i]
	if c == nil {
		customer := fmt.Sprintf("c-%02d", l.n%50)
		ctx, root := l.b.Start(context.Background(), bus.Op{Module: "DocumentAnalyzer", Method: "forward", Operation: "forward",
			Tags: map[string]string{"customer_id": customer}})
		c = &call{root: root}
		c.llm = nil
		l.calls[i] = c
		_ = ctx
		c.step = -1
		l.startLLM(c, ctx)
		return
	}
	switch {
	case c.step < tokensPerCall:
		c.llm.Token(" token")
		c.step++
	case c.step == tokensPerCall:
		c.llm.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 100, events.KeyGenAIUsageOutputTokens: tokensPerCall}, nil)
		c.step++
	default:
		c.root.End(nil)
		l.calls[i] = nil
	}
}

// startLLM is the second event of a call: its nested llm_call starts.
func (l *load) startLLM(c *call, ctx context.Context) {
	_, c.llm = l.b.Start(ctx, bus.Op{Operation: "llm_call", Data: map[string]any{events.KeyGenAIRequestModel: "gpt-4o-mini"}})
	c.step = 0
}

// run emits rate events a second until ctx ends, and returns how many.
func (l *load) run(ctx context.Context, rate int) uint64 {
	start := time.Now()
	var emitted uint64
	for ctx.Err() == nil {
		due := uint64(time.Since(start).Seconds() * float64(rate))
		for emitted < due {
			l.next()
			emitted++
		}
		time.Sleep(2 * time.Millisecond) // the producer's pace, not a wait for something
	}
	return emitted
}
