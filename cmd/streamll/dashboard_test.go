package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// pageUpdate is the part of the dashboard's updates these tests read.
type pageUpdate struct {
	Executions []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Tokens string `json:"tokens"`
	} `json:"executions"`
	Source *struct {
		State string `json:"state"`
		Error string `json:"error"`
	} `json:"source"`
	Totals struct {
		Events uint64 `json:"events"`
	} `json:"totals"`
}

// updates follows the page's Server-Sent Events until done returns true for
// one of them, or fails the test at ctx's end.
func updates(t *testing.T, ctx context.Context, url string, done func(pageUpdate) bool) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4<<20)
	var last pageUpdate
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		var u pageUpdate
		if err := json.Unmarshal([]byte(data), &u); err != nil {
			t.Fatal(err)
		}
		last = u
		if done(u) {
			return
		}
	}
	src := "none"
	if last.Source != nil {
		src = last.Source.State + " " + last.Source.Error
	}
	t.Fatalf("the page's updates ended before the expected one: %v (last: %d events, source %s)", sc.Err(), last.Totals.Events, src)
}

// startDashboard runs the dashboard command and returns its page's URL.
func startDashboard(t *testing.T, ctx context.Context, args ...string) (string, *output, <-chan int) {
	t.Helper()
	_, stderr, code := command(ctx, append([]string{"dashboard", "--listen", "127.0.0.1:0"}, args...)...)
	stderr.waitFor(t, ctx, "serving http://")
	_, rest, _ := strings.Cut(stderr.String(), "serving ")
	return strings.Fields(rest)[0], stderr, code
}

// TestDashboardCommand: the page gets the application's executions, and
// Ctrl-C stops the server with exit code 0.
func TestDashboardCommand(t *testing.T) {
	u, key := redisStream(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dashCtx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	url, stderr, code := startDashboard(t, dashCtx, u+"?stream="+key)

	for _, path := range []string{"/", "/app.js"} {
		resp, err := http.Get(url + path)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", path, err, resp)
		}
		resp.Body.Close()
	}
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, sink)
	// The page's text of an execution is its snapshot's, then what each
	// update adds.
	text := map[string]string{}
	updates(t, ctx, url, func(p pageUpdate) bool {
		for _, x := range p.Executions {
			text[x.ID] += x.Tokens
		}
		return p.Totals.Events == applicationEvents &&
			text["call00000000"] == "The document is fine." && text["call10000000"] == "The document is fine."
	})
	interrupt()
	if c := exitCode(t, code); c != exitOK {
		t.Errorf("exit code %d after Ctrl-C\n%s", c, stderr)
	}
}

// TestDashboardReconnects: when the dashboard's own connection to Redis is
// cut, the page says the source is lost; once it is back, the dashboard reads
// again from where it was.
func TestDashboardReconnects(t *testing.T) {
	u, key := redisStream(t)
	opts, _ := redis.ParseURL(u)
	proxy := faultproxy.New(t, opts.Addr)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dashCtx, interrupt := context.WithCancel(ctx)
	defer interrupt()
	url, stderr, code := startDashboard(t, dashCtx, "redis://"+proxy.Addr()+"?stream="+key)

	proxy.Cut()
	updates(t, ctx, url, func(p pageUpdate) bool { return p.Source != nil && p.Source.State == "lost" })
	sink, err := redissink.New(redissink.Config{URL: u, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	produce(t, sink) // written while the dashboard cannot read
	proxy.Restore()
	updates(t, ctx, url, func(p pageUpdate) bool { return p.Totals.Events == applicationEvents })
	interrupt()
	if c := exitCode(t, code); c != exitOK {
		t.Errorf("exit code %d\n%s", c, stderr)
	}
	if !strings.Contains(stderr.String(), "reading redis stream "+key+" on "+proxy.Addr()+" again") {
		t.Errorf("stderr does not say it reconnected:\n%s", stderr)
	}
}
