package llmhttp

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrInvalidPrices is wrapped by every error ParseCatalog and Catalog.With
// return.
var ErrInvalidPrices = errors.New("llmhttp: invalid prices")

// Price is what one model costs, per million tokens, from a date on. A
// price of 0 for CacheRead, CacheWrite or Reasoning means those tokens are
// billed at the Input (or, for Reasoning, the Output) price.
type Price struct {
	// Model is the model's name as the provider's API gives it, in lower
	// case: "gpt-4o-mini", "claude-sonnet-4-5". A response's model with a
	// date suffix ("gpt-4o-mini-2024-07-18", "claude-sonnet-4-5-20250929")
	// is priced by this name unless the catalog names the dated model
	// itself.
	Model string
	// Provider is informative: "openai", "anthropic", ...
	Provider string
	// Effective is the first day (UTC) the price applies to calls. A call is
	// priced with the latest price effective at its start. Zero: always.
	Effective time.Time
	// Currency is the ISO 4217 code of the prices. Default "USD".
	Currency string
	// Input is the price of a million input tokens read neither from nor
	// into the provider's prompt cache.
	Input float64
	// Output is the price of a million output tokens (reasoning included,
	// unless Reasoning is set).
	Output float64
	// CacheRead is the price of a million input tokens read from the prompt
	// cache (OpenAI's cached_tokens, Anthropic's cache_read_input_tokens).
	CacheRead float64
	// CacheWrite is the price of a million input tokens written to the
	// prompt cache (Anthropic's cache_creation_input_tokens, at the 5-minute
	// rate).
	CacheWrite float64
	// Reasoning is the price of a million reasoning output tokens, for a
	// provider that bills them apart from the rest of the output.
	Reasoning float64
	// Source says where the price comes from: a URL and the date it was
	// read, "contract 2026-07", ...
	Source string
}

// Usage is an LLM call's token counts, as the end event reports them.
type Usage struct {
	// Input counts every input token, cached ones included
	// (gen_ai.usage.input_tokens).
	Input int64
	// Output counts every output token, reasoning included.
	Output int64
	// CacheRead and CacheWrite count the input tokens read from and written
	// to the prompt cache; they are part of Input.
	CacheRead, CacheWrite int64
	// Reasoning counts the reasoning tokens; they are part of Output.
	Reasoning int64
}

// Cost is what u costs at price p, in p.Currency.
func (p Price) Cost(u Usage) float64 {
	cacheRead, cacheWrite := max(u.CacheRead, 0), max(u.CacheWrite, 0)
	plain := max(u.Input-cacheRead-cacheWrite, 0)
	reasoning := int64(0)
	if p.Reasoning != 0 {
		reasoning = min(max(u.Reasoning, 0), max(u.Output, 0))
	}
	out := max(u.Output, 0) - reasoning
	cost := float64(plain)*p.Input +
		float64(cacheRead)*cmpOrFloat(p.CacheRead, p.Input) +
		float64(cacheWrite)*cmpOrFloat(p.CacheWrite, p.Input) +
		float64(out)*p.Output +
		float64(reasoning)*p.Reasoning
	// Per million tokens; rounded to 1e-10, so that sums stay readable.
	return math.Round(cost/1e6*1e10) / 1e10
}

func cmpOrFloat(a, b float64) float64 {
	if a != 0 {
		return a
	}
	return b
}

// Catalog is a versioned set of prices, looked up by model and date. A
// Catalog is immutable and safe for concurrent use.
type Catalog struct {
	version string
	models  map[string][]Price // by model; newest Effective first
}

//go:embed prices.json
var builtinPrices []byte

var builtin = sync.OnceValue(func() *Catalog {
	c, err := ParseCatalog(builtinPrices)
	if err != nil {
		panic("llmhttp: the embedded prices.json is invalid: " + err.Error()) // caught by the package's tests
	}
	return c
})

// BuiltinCatalog returns the price catalog embedded in this package: the
// list prices of OpenAI's and Anthropic's text models at standard
// (not batch, not priority) rates, each with the page it was read from.
// Its Version is the day it was last checked. Prices change: for billing,
// check them against your invoices and override them with Catalog.With.
func BuiltinCatalog() *Catalog { return builtin() }

// Version names the catalog's revision, such as "2026-12-01"; a catalog
// made by With adds "+custom".
func (c *Catalog) Version() string { return c.version }

// Prices lists every price of the catalog, by model and then newest first.
func (c *Catalog) Prices() []Price {
	var out []Price
	for _, m := range slices.Sorted(maps.Keys(c.models)) {
		out = append(out, c.models[m]...)
	}
	return out
}

// With returns a new catalog: c with the given prices, which replace all of
// c's prices for each model they name (so a model's history is either the
// catalog's or yours) and add the models c lacks. A local model priced at
// zero is Price{Model: "llama3.2", Source: "self-hosted"}.
func (c *Catalog) With(prices ...Price) (*Catalog, error) {
	out := &Catalog{version: c.version, models: make(map[string][]Price, len(c.models)+len(prices))}
	if !strings.HasSuffix(out.version, "+custom") {
		out.version += "+custom"
	}
	for m, ps := range c.models {
		out.models[m] = ps
	}
	added := map[string][]Price{}
	var errs []error
	for _, p := range prices {
		p, err := normalizePrice(p, "USD")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		added[p.Model] = append(added[p.Model], p)
	}
	for m, ps := range added {
		if err := sortPrices(m, ps); err != nil {
			errs = append(errs, err)
		}
		out.models[m] = ps
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// Lookup returns the price of model for a call started at at: the price of
// that exact name, else of the name without a date suffix (-2024-07-18,
// -20250929), effective at that time.
func (c *Catalog) Lookup(model string, at time.Time) (Price, bool) {
	if model == "" {
		return Price{}, false
	}
	model = strings.ToLower(model)
	ps, ok := c.models[model]
	if !ok {
		if base, dated := undated(model); dated {
			ps, ok = c.models[base]
		}
	}
	if !ok {
		return Price{}, false
	}
	for _, p := range ps {
		if !p.Effective.After(at) {
			return p, true
		}
	}
	return Price{}, false
}

// undated strips a date suffix from a model name: -YYYY-MM-DD (OpenAI) or
// -YYYYMMDD (Anthropic).
func undated(model string) (string, bool) {
	digitsAt := func(s string, idx ...int) bool {
		for _, i := range idx {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		}
		return true
	}
	if n := len(model); n > 11 && model[n-11] == '-' && model[n-6] == '-' && model[n-3] == '-' &&
		digitsAt(model, n-10, n-9, n-8, n-7, n-5, n-4, n-2, n-1) {
		return model[:n-11], true
	}
	if n := len(model); n > 9 && model[n-9] == '-' && digitsAt(model, n-8, n-7, n-6, n-5, n-4, n-3, n-2, n-1) {
		return model[:n-9], true
	}
	return model, false
}

// catalogFile is the JSON form of a catalog, as prices.json holds it.
type catalogFile struct {
	Version  string `json:"version"`
	Currency string `json:"currency"`
	Unit     string `json:"unit"` // informative
	Note     string `json:"note"` // informative
	Models   []struct {
		Model    string   `json:"model"`
		Aliases  []string `json:"aliases"` // other names of the model, priced alike
		Provider string   `json:"provider"`
		Prices   []struct {
			Effective  string   `json:"effective"`
			Currency   string   `json:"currency"`
			Input      *float64 `json:"input"`
			Output     *float64 `json:"output"`
			CacheRead  float64  `json:"cache_read"`
			CacheWrite float64  `json:"cache_write"`
			Reasoning  float64  `json:"reasoning"`
			Source     string   `json:"source"`
		} `json:"prices"`
	} `json:"models"`
}

// ParseCatalog reads a catalog in the JSON form of the embedded
// prices.json:
//
//	{"version": "2026-12-01", "currency": "USD", "models": [
//	  {"model": "gpt-4o-mini", "provider": "openai", "aliases": [], "prices": [
//	    {"effective": "2024-07-18", "input": 0.15, "cache_read": 0.075, "output": 0.60,
//	     "source": "https://..."}]}]}
//
// Prices are per million tokens; input and output are required, the others
// default as Price says; effective is a date (YYYY-MM-DD) or absent. Every
// error wraps ErrInvalidPrices.
func ParseCatalog(data []byte) (*Catalog, error) {
	var f catalogFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPrices, err)
	}
	if f.Version == "" {
		return nil, fmt.Errorf("%w: no version", ErrInvalidPrices)
	}
	currency := f.Currency
	if currency == "" {
		currency = "USD"
	}
	c := &Catalog{version: f.Version, models: map[string][]Price{}}
	var errs []error
	for _, m := range f.Models {
		for _, fp := range m.Prices {
			p := Price{Model: m.Model, Provider: m.Provider, Currency: fp.Currency,
				CacheRead: fp.CacheRead, CacheWrite: fp.CacheWrite, Reasoning: fp.Reasoning, Source: fp.Source}
			if fp.Input == nil || fp.Output == nil {
				errs = append(errs, fmt.Errorf("%w: %s: input and output are required", ErrInvalidPrices, m.Model))
				continue
			}
			p.Input, p.Output = *fp.Input, *fp.Output
			if fp.Effective != "" {
				t, err := time.Parse(time.DateOnly, fp.Effective)
				if err != nil {
					errs = append(errs, fmt.Errorf("%w: %s: effective %q is not a date (YYYY-MM-DD)", ErrInvalidPrices, m.Model, fp.Effective))
					continue
				}
				p.Effective = t
			}
			p, err := normalizePrice(p, currency)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			c.models[p.Model] = append(c.models[p.Model], p)
			for _, alias := range m.Aliases {
				a := p
				a.Model = strings.ToLower(strings.TrimSpace(alias))
				c.models[a.Model] = append(c.models[a.Model], a)
			}
		}
	}
	for m, ps := range c.models {
		if err := sortPrices(m, ps); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// normalizePrice checks p and fills its defaults.
func normalizePrice(p Price, currency string) (Price, error) {
	p.Model = strings.ToLower(strings.TrimSpace(p.Model))
	if p.Model == "" {
		return p, fmt.Errorf("%w: a price names no model", ErrInvalidPrices)
	}
	if p.Currency == "" {
		p.Currency = currency
	}
	if len(p.Currency) != 3 {
		return p, fmt.Errorf("%w: %s: currency %q is not an ISO 4217 code", ErrInvalidPrices, p.Model, p.Currency)
	}
	p.Currency = strings.ToUpper(p.Currency)
	for _, v := range []float64{p.Input, p.Output, p.CacheRead, p.CacheWrite, p.Reasoning} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return p, fmt.Errorf("%w: %s: prices must be finite and not negative", ErrInvalidPrices, p.Model)
		}
	}
	p.Effective = p.Effective.UTC()
	return p, nil
}

// sortPrices orders one model's prices newest first, rejecting two from the
// same date.
func sortPrices(model string, ps []Price) error {
	slices.SortFunc(ps, func(a, b Price) int { return b.Effective.Compare(a.Effective) })
	for i := 1; i < len(ps); i++ {
		if ps[i].Effective.Equal(ps[i-1].Effective) {
			return fmt.Errorf("%w: %s: two prices effective %s", ErrInvalidPrices, model, ps[i].Effective.Format(time.DateOnly))
		}
	}
	return nil
}
