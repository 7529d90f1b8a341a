package browsertest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/internal/faultproxy"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// chromium returns the path of the browser, or skips the test (fails it
// under STREAMLL_REQUIRE_SERVICES=1) when there is none.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium: install Debian's chromium package (apt-get install -y chromium) or set CHROMIUM to run the browser tests"
	if servicetest.Required() {
		t.Fatal(msg + " (STREAMLL_REQUIRE_SERVICES=1)")
	}
	t.Skip(msg)
	return ""
}

// browser starts headless Chromium with a fresh profile and returns a
// chromedp context for one tab; it is closed when the test ends.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

// streamllBinary builds the command once per test run, as a user's go install
// would.
func streamllBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "streamll-browsertest")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "streamll")
		// Built in the main module, as go install would build it.
		cmd := exec.Command("go", "build", "-o", binary, "./cmd/streamll")
		cmd.Dir = filepath.Join("..", "..", "..")
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// dashboard is a running `streamll dashboard` process.
type dashboard struct {
	url string
	cmd *exec.Cmd
}

// startDashboard runs the command with args and the stream URL, and returns
// once it says where it serves.
func startDashboard(t *testing.T, args ...string) *dashboard {
	t.Helper()
	cmd := exec.Command(streamllBinary(t), append([]string{"dashboard", "--listen", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d := &dashboard{cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("dashboard exited with %v", err)
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Error("dashboard did not stop on interrupt")
		}
	})
	sc := bufio.NewScanner(stderr)
	found := make(chan string, 1)
	go func() {
		sent := false
		for sc.Scan() {
			line := sc.Text()
			if _, rest, ok := strings.Cut(line, "serving "); ok && !sent {
				found <- strings.Fields(rest)[0]
				sent = true
			}
		}
		if !sent {
			close(found)
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	select {
	case u, ok := <-found:
		if !ok {
			t.Fatal("the dashboard exited before serving")
		}
		d.url = u
	case <-time.After(30 * time.Second):
		t.Fatal("the dashboard did not start")
	}
	return d
}

// cpu returns the CPU time the dashboard has used, user and system.
func (d *dashboard) cpu(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", d.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	// The fields after the command name (which may hold spaces) start at
	// the state, field 3; utime and stime are fields 14 and 15, in ticks.
	fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	var user, sys int64
	fmt.Sscan(fields[11], &user)
	fmt.Sscan(fields[12], &sys)
	return time.Duration(user+sys) * time.Second / 100
}

// rss returns the dashboard's resident memory in KiB.
func (d *dashboard) rss(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb
		}
	}
	return 0
}

// producer is an application's bus writing to a Redis stream through a
// fault proxy, with its HealthHandler served over HTTP.
type producer struct {
	bus       *bus.Bus
	proxy     *faultproxy.Proxy
	healthURL string
	streamURL string // for the dashboard, direct to Redis
	key       string
	sinkName  string
}

func newProducer(t *testing.T) *producer {
	t.Helper()
	u := servicetest.RedisURL(t)
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	key := servicetest.Name(t, "dashboard")
	t.Cleanup(func() {
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		if err := rdb.Del(context.Background(), key).Err(); err != nil {
			t.Errorf("deleting %s: %v", key, err)
		}
	})
	proxy := faultproxy.New(t, opts.Addr)
	sink, err := redissink.New(redissink.Config{
		URL:       fmt.Sprintf("redis://%s/%d", proxy.Addr(), opts.DB),
		StreamKey: key,
		Options: sinks.Options{
			BufferSize:   100000,
			WriteTimeout: time.Second,
			Breaker:      supervisor.BreakerPolicy{FailureThreshold: 1, RecoveryTimeout: time.Minute},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.New(bus.Config{Sinks: []sinks.Sink{sink}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(b.HealthHandler())
	t.Cleanup(func() {
		hs.Close()
		proxy.Restore()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Close(ctx) // what the cut kept from Redis is counted, not an error here
	})
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	return &producer{bus: b, proxy: proxy, healthURL: hs.URL, streamURL: u + sep + "stream=" + key, key: key,
		sinkName: b.Health()[0].Name}
}

// saveScreenshot writes png to $STREAMLL_ARTIFACTS (default: the temporary
// directory) and says where.
func saveScreenshot(t *testing.T, name string, png []byte) string {
	t.Helper()
	dir := os.Getenv("STREAMLL_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}
