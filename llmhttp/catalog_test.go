package llmhttp_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/llmhttp"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestBuiltinCatalog checks the embedded catalog: it parses, names its
// version, and records a source beside every price.
func TestBuiltinCatalog(t *testing.T) {
	c := llmhttp.BuiltinCatalog()
	if c.Version() == "" {
		t.Fatal("no version")
	}
	prices := c.Prices()
	if len(prices) < 20 {
		t.Fatalf("%d prices", len(prices))
	}
	for _, p := range prices {
		if p.Source == "" || p.Currency != "USD" || p.Input <= 0 || p.Output <= 0 || p.Provider == "" {
			t.Errorf("%+v: want a source, USD, input and output prices and a provider", p)
		}
	}
	for _, model := range []string{"gpt-4o-mini", "gpt-4o-mini-2024-07-18", "claude-sonnet-4-5-20250929", "claude-opus-4-0", "CLAUDE-HAIKU-4-5"} {
		if _, ok := c.Lookup(model, time.Now()); !ok {
			t.Errorf("no price for %s", model)
		}
	}
	for _, model := range []string{"llama3.2", "gpt-4o-mini-audio", "", "gpt-4o-minix"} {
		if p, ok := c.Lookup(model, time.Now()); ok {
			t.Errorf("%q priced as %s", model, p.Model)
		}
	}
}

func TestCatalogLookup(t *testing.T) {
	c, err := llmhttp.ParseCatalog([]byte(`{"version":"test-1","models":[
		{"model":"m","provider":"p","aliases":["m-latest"],"prices":[
			{"effective":"2025-04-16","input":10,"output":40,"source":"launch"},
			{"effective":"2025-06-10","input":2,"output":8,"source":"price cut"}]},
		{"model":"m-2024-05-13","provider":"p","prices":[{"input":5,"output":15,"source":"snapshot"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		model string
		at    string
		want  string // the source of the price found; "" for none
	}{
		{"m", "2025-05-01", "launch"},
		{"m", "2025-06-10", "price cut"},
		{"m", "2026-01-01", "price cut"},
		{"m", "2025-01-01", ""}, // before the first price
		{"m-latest", "2026-01-01", "price cut"},
		{"m-2025-06-10", "2026-01-01", "price cut"}, // dated: the undated name's price
		{"m-20250610", "2026-01-01", "price cut"},
		{"m-2024-05-13", "2026-01-01", "snapshot"}, // a dated model the catalog names itself
		{"m-mini", "2026-01-01", ""},
	}
	for _, tt := range tests {
		p, ok := c.Lookup(tt.model, day(tt.at))
		if got := map[bool]string{true: p.Source}[ok]; got != tt.want {
			t.Errorf("Lookup(%q, %s) = %q, want %q", tt.model, tt.at, got, tt.want)
		}
	}
}

func TestCatalogWith(t *testing.T) {
	base := llmhttp.BuiltinCatalog()
	c, err := base.With(
		llmhttp.Price{Model: "gpt-4o", Input: 1, Output: 2, Source: "contract"},
		llmhttp.Price{Model: "Llama3.2", Source: "self-hosted"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Lookup("gpt-4o-2024-08-06", time.Now()); !ok || p.Source != "contract" || p.Input != 1 {
		t.Errorf("override: %+v, %v", p, ok)
	}
	if p, ok := c.Lookup("llama3.2", time.Now()); !ok || p.Input != 0 || p.Currency != "USD" {
		t.Errorf("addition: %+v, %v", p, ok)
	}
	if p, _ := base.Lookup("gpt-4o", time.Now()); p.Source == "contract" {
		t.Error("With changed the catalog it was called on")
	}
	if !strings.HasSuffix(c.Version(), "+custom") {
		t.Errorf("version %q", c.Version())
	}
}

func TestCatalogErrors(t *testing.T) {
	tests := []struct{ name, json string }{
		{"not JSON", `{`},
		{"no version", `{"models":[]}`},
		{"unknown field", `{"version":"1","modles":[]}`},
		{"no output", `{"version":"1","models":[{"model":"m","prices":[{"input":1}]}]}`},
		{"negative", `{"version":"1","models":[{"model":"m","prices":[{"input":-1,"output":1}]}]}`},
		{"bad date", `{"version":"1","models":[{"model":"m","prices":[{"input":1,"output":1,"effective":"June"}]}]}`},
		{"same date twice", `{"version":"1","models":[{"model":"m","prices":[{"input":1,"output":1},{"input":2,"output":2}]}]}`},
		{"bad currency", `{"version":"1","currency":"dollars","models":[{"model":"m","prices":[{"input":1,"output":1}]}]}`},
		{"no model", `{"version":"1","models":[{"prices":[{"input":1,"output":1}]}]}`},
	}
	for _, tt := range tests {
		if _, err := llmhttp.ParseCatalog([]byte(tt.json)); !errors.Is(err, llmhttp.ErrInvalidPrices) {
			t.Errorf("%s: err = %v, want ErrInvalidPrices", tt.name, err)
		}
	}
	if _, err := llmhttp.BuiltinCatalog().With(llmhttp.Price{Input: 1}); !errors.Is(err, llmhttp.ErrInvalidPrices) {
		t.Errorf("With a price naming no model: err = %v", err)
	}
}

func TestPriceCost(t *testing.T) {
	p := llmhttp.Price{Input: 3, Output: 15, CacheRead: 0.30, CacheWrite: 3.75}
	tests := []struct {
		name  string
		price llmhttp.Price
		usage llmhttp.Usage
		want  float64
	}{
		{"plain", p, llmhttp.Usage{Input: 1_000_000, Output: 1_000_000}, 18},
		{"cache read and write are part of input", p, llmhttp.Usage{Input: 3_000_000, CacheRead: 1_000_000, CacheWrite: 1_000_000}, 3 + 0.30 + 3.75},
		{"cache prices default to input", llmhttp.Price{Input: 2, Output: 8}, llmhttp.Usage{Input: 1_000_000, CacheRead: 500_000}, 2},
		{"reasoning at output unless priced", p, llmhttp.Usage{Output: 1_000_000, Reasoning: 900_000}, 15},
		{"reasoning priced apart", llmhttp.Price{Output: 10, Reasoning: 20}, llmhttp.Usage{Output: 1_000_000, Reasoning: 500_000}, 15},
		{"tiny", llmhttp.Price{Input: 0.15, Output: 0.6}, llmhttp.Usage{Input: 8, Output: 3}, 3e-06},
	}
	for _, tt := range tests {
		if got := tt.price.Cost(tt.usage); got != tt.want {
			t.Errorf("%s: Cost = %v, want %v", tt.name, got, tt.want)
		}
	}
}
