package browsertest

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/bus"
	"github.com/streamll/streamll-go/events"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/chromedp/chromedp.(*Browser).run"))
}

// waitJS waits until the JavaScript expression is truthy in the page, as the
// DOM changes, or fails the test with what the page shows.
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("waiting for %s: %v\nthe page shows:\n%s", what, err, text)
	}
}

func jsString(s string) string { return strconv.Quote(s) }

// traffic emits a few finished analyses of other customers, one failing, so
// the page shows a realistic picture.
func traffic(b *bus.Bus) {
	for i, customer := range []string{"acme", "globex", "initech", "acme", "globex"} {
		ctx, root := b.Start(context.Background(), bus.Op{Module: "DocumentAnalyzer", Method: "forward", Operation: "forward",
			Tags: map[string]string{"customer_id": customer}})
		_, call := b.Start(ctx, bus.Op{Operation: "llm_call", Data: map[string]any{events.KeyGenAIRequestModel: "gpt-4o-mini"}})
		for _, tok := range strings.Fields("The contract renews yearly and caps liability") {
			time.Sleep(3 * time.Millisecond) // the simulated LLM's pace, so times read as they would
			call.Token(tok + " ")
		}
		if i == 2 {
			call.End(errors.New("rate limited: 429 Too Many Requests"))
			root.End(errors.New("llm_call failed"))
			continue
		}
		call.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 120 + 10*i, events.KeyGenAIUsageOutputTokens: 7}, nil)
		root.End(nil)
	}
}

// TestDashboard is a person watching the dashboard while the application
// runs: a new execution appears with its nested LLM call, the call's tokens
// arrive in order, the usage table counts the customer's tokens, and when the
// application's Redis connection is cut, its sink's circuit shows open.
func TestDashboard(t *testing.T) {
	p := newProducer(t)
	d := startDashboard(t, "--health", p.healthURL, p.streamURL)
	ctx := browser(t, 1400, 1000)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(d.url)); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the page to connect", `document.getElementById("status").textContent === "live"`)
	traffic(p.bus)
	waitJS(t, ctx, "the earlier traffic", `document.querySelectorAll("#usage tbody tr").length === 3`)

	const rootID, callID = "watchedRoot1", "watchedCall1"
	// Record every text the call's token line shows, to check the order.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](`
		window.tokenHistory = [];
		new MutationObserver(() => {
			const el = document.querySelector('.exec[data-id="`+callID+`"] .tokens');
			const h = window.tokenHistory;
			if (el && el.textContent && h[h.length - 1] !== el.textContent) h.push(el.textContent);
		}).observe(document.getElementById("executions"), {subtree: true, childList: true, characterData: true});`)); err != nil {
		t.Fatal(err)
	}

	rctx, root := p.bus.Start(context.Background(), bus.Op{ID: rootID, Module: "DocumentAnalyzer", Method: "forward",
		Operation: "forward", Tags: map[string]string{"customer_id": "c-42"}})
	waitJS(t, ctx, "the new execution", `document.querySelector('.exec[data-id="`+rootID+`"][data-status="running"]')`)
	_, call := p.bus.Start(rctx, bus.Op{ID: callID, Operation: "llm_call", Data: map[string]any{events.KeyGenAIRequestModel: "gpt-4o-mini"}})
	waitJS(t, ctx, "the nested call under it", `document.querySelector('.exec[data-id="`+rootID+`"]').parentElement.querySelector('.children .exec[data-id="`+callID+`"]')`)

	tokens := []string{"Streaming", " tokens", " arrive", " one", " by", " one", "."}
	text := ""
	for _, tok := range tokens {
		call.Token(tok)
		text += tok
		waitJS(t, ctx, fmt.Sprintf("token text %q", text), `(document.querySelector('.exec[data-id="`+callID+`"] .tokens') || {}).textContent === `+jsString(text))
	}
	call.EndWith(map[string]any{events.KeyGenAIUsageInputTokens: 40, events.KeyGenAIUsageOutputTokens: len(tokens)}, nil)
	root.End(nil)
	waitJS(t, ctx, "the call to end with its TTFT and usage", `(() => {
		const row = document.querySelector('.exec[data-id="`+callID+`"]');
		return row && row.dataset.status === "ok" && row.querySelector(".ttft").textContent.startsWith("TTFT")
			&& row.querySelector(".usage").textContent === "40 in · 7 out";
	})()`)
	waitJS(t, ctx, "c-42 in the usage table", `(() => {
		const tr = document.querySelector('#usage tr[data-value="c-42"]');
		return tr && tr.querySelector(".in").textContent === "40" && tr.querySelector(".out").textContent === "7"
			&& tr.querySelector(".executions").textContent === "2";
	})()`)
	history, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`window.tokenHistory`))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(history); i++ {
		if !strings.HasPrefix(history[i], history[i-1]) {
			t.Errorf("the token line went from %q to %q: out of order", history[i-1], history[i])
		}
	}
	if len(history) == 0 || history[len(history)-1] != text {
		t.Errorf("token line history %q, want it to end with %q", history, text)
	}

	circuit := `(document.querySelector('#sinks tr[data-sink="` + p.sinkName + `"] .circuit') || {}).textContent`
	waitJS(t, ctx, "the sink's circuit closed", circuit+` === "closed"`)
	p.proxy.Cut()
	_, lost := p.bus.Start(context.Background(), bus.Op{Module: "DocumentAnalyzer", Operation: "forward",
		Tags: map[string]string{"customer_id": "c-42"}})
	lost.End(nil)
	waitJS(t, ctx, "the sink's circuit open once Redis is cut", circuit+` === "open"`)
	waitJS(t, ctx, "the health verdict", `document.getElementById("health-status").textContent === "unhealthy"`)

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveScreenshot(t, "dashboard.png", png)
}
