// Package browsertest drives the streamll dashboard in a real browser: it
// starts `streamll dashboard` against a real Redis stream fed by a bus,
// opens the page in headless Chromium through chromedp, and checks the live
// DOM. It is a module of its own so that chromedp never enters the main
// go.mod.
//
//	cd cmd/streamll/browsertest && go test ./...
//
// Chromium is found at $CHROMIUM, /usr/bin/chromium or on PATH; without it
// the tests skip (and fail under STREAMLL_REQUIRE_SERVICES=1). The
// screenshot goes to $STREAMLL_ARTIFACTS (default: the system's temporary
// directory). TestDashboardLoad measures the page at a steady event rate
// when STREAMLL_DASHBOARD_LOAD is set to a rate, such as 10000.
package browsertest
