package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The webhook keeps the sink contract: the conformance suite, its fault
// cases included (the sink posts through a proxy the suite cuts and
// freezes), against a receiver of its own per sink.
func TestConformance(t *testing.T) {
	var receivers sinktest.Destinations[*Receiver]
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		rcv := NewReceiver()
		srv := httptest.NewServer(rcv)
		t.Cleanup(srv.Close)
		hook, err := NewWebhook(WebhookConfig{URL: via.URL(srv.URL, "") + "/events"})
		if err != nil {
			t.Fatal(err)
		}
		return receivers.Add(hook, rcv)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			rcv := receivers.Of(s)
			return sinktest.Await(ctx, want, rcv.Events, rcv.Changed())
		},
	})
}

// The endpoint's answers decide what the host does with a batch: 2xx
// delivered, 408, 429 and 5xx retried, any other refusal dropped.
func TestAnswers(t *testing.T) {
	for status, want := range map[int]string{
		http.StatusNoContent: "delivered", http.StatusTooManyRequests: "retried", http.StatusBadGateway: "retried",
		http.StatusRequestTimeout: "retried", http.StatusBadRequest: "dropped", http.StatusUnauthorized: "dropped",
	} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(status) }))
			defer srv.Close()
			hook, err := NewWebhook(WebhookConfig{URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			defer hook.Close(context.Background())
			err = hook.Write(t.Context(), sinktest.MakeEvents(3, "answer"))
			got := "retried"
			switch {
			case err == nil:
				got = "delivered"
			case sinks.IsPermanent(err):
				got = "dropped"
			}
			if got != want {
				t.Errorf("answer %d: Write = %v (%s), want %s", status, err, got, want)
			}
		})
	}
}

// NewWebhook refuses what it cannot post to, and never shows a password.
func TestNewWebhookRefuses(t *testing.T) {
	for _, raw := range []string{"", "ftp://host/x", "http://", "http://user:s3cret@ho st/"} {
		_, err := NewWebhook(WebhookConfig{URL: raw})
		if !errors.Is(err, sinks.ErrInvalidConfig) || strings.Contains(fmt.Sprint(err), "s3cret") {
			t.Errorf("NewWebhook(%q) = %v, want ErrInvalidConfig without the password", raw, err)
		}
	}
}

// The producer's events reach the receiver once each: the run as a user
// runs it, both subcommands in this process.
func TestProducerToReceiver(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- command(ctx, []string{"receiver", "-listen", "127.0.0.1:0"}, os.Getenv, w)
		w.Close()
	}()
	printed := make(chan string, 100) // the receiver's lines, read as they come
	go func() {
		defer close(printed)
		for lines := bufio.NewScanner(r); lines.Scan(); {
			printed <- lines.Text()
		}
	}()
	first, ok := <-printed
	if !ok {
		t.Fatalf("the receiver printed nothing: %v", <-done)
	}
	url := regexp.MustCompile(`listening on (\S+)`).FindStringSubmatch(first)
	if url == nil {
		t.Fatalf("the receiver said %q", first)
	}
	var out strings.Builder
	getenv := func(name string) string {
		if name == "WEBHOOK_URL" {
			return url[1]
		}
		return ""
	}
	if err := command(ctx, []string{"producer", "-questions", "3", "-token-delay", "0s"}, getenv, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "delivered 33 events to webhook:127.0.0.1:") || !strings.Contains(out.String(), "dropped 0") {
		t.Errorf("the producer said %q", out.String())
	}
	stop()
	var received []string
	for line := range printed {
		received = append(received, line)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(received); n != 34 || received[n-1] != "receiver: kept 33 events (0 copies dropped)" {
		t.Fatalf("the receiver printed %d lines, ending %q", n, received[n-1])
	}
	for i, want := range []string{`^start +answer +\S+$`, `^faq_matched answer +\S+ customer c-17$`, `^token +answer +\S+ "Open "$`} {
		if !regexp.MustCompile(want).MatchString(received[i]) {
			t.Errorf("line %d %q, want %s", i, received[i], want)
		}
	}
}

// Every piece of code docs/writing-a-sink.md shows from this example is
// here as it stands, so the guide is the sink the suite checks.
func TestGuideShowsTheSink(t *testing.T) {
	guide, err := os.ReadFile("../../docs/writing-a-sink.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)<!-- from examples/custom-sink/([a-z_]+\\.go) -->\\s*```go\\n(.*?)```").FindAllSubmatch(guide, -1)
	if len(blocks) < 5 {
		t.Fatalf("the guide shows %d pieces of this example, want the sink step by step and its test", len(blocks))
	}
	for _, b := range blocks {
		code, err := os.ReadFile(string(b[1]))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(code), string(b[2])) {
			t.Errorf("the guide shows code that %s does not hold:\n%s", b[1], b[2])
		}
	}
}
