package llmhttp

import (
	"net/http"

	"github.com/streamll/streamll-go/bus"
)

// Defaults for Config.
const (
	// DefaultModule is the module_name of the events when Config.Module is
	// empty.
	DefaultModule = "llm"
	// DefaultMaxContentBytes caps each piece of captured content when
	// Config.MaxContentBytes is zero.
	DefaultMaxContentBytes = 4096
)

// Operation is the operation of every execution the middleware starts.
const Operation = "llm_call"

// Config configures Middleware and Transport. The zero value is valid: events
// go to the bus of the caller's execution (or the default bus), and no prompt
// or completion text is recorded.
type Config struct {
	// Bus receives the events. Default: the bus of the execution the
	// request's context carries, else bus.Default(); with neither, requests
	// pass through untouched.
	Bus *bus.Bus
	// Module is the module_name of the events. Default "llm".
	Module string
	// CaptureContent records prompt and completion text: the request's
	// messages in the start event (gen_ai.prompt), the text of each token
	// event (token) and the whole completion in the end event
	// (gen_ai.completion). Default false: events carry sizes, counts, timing
	// and usage but no text, as the OpenTelemetry GenAI conventions require.
	CaptureContent bool
	// MaxContentBytes caps each captured text (the prompt, each token, the
	// completion) when CaptureContent is on; a text cut short is marked with
	// content_truncated. Negative means no cap. Default 4096.
	MaxContentBytes int
	// IncludeUsage adds "stream_options":{"include_usage":true} to streamed
	// Chat Completions requests that do not set include_usage themselves,
	// so that OpenAI (and compatible servers) report the call's usage, and
	// with it tokens and cost. The rest of the body is sent byte for byte.
	// The caller then receives one more chunk before data: [DONE], with the
	// usage and an empty choices array: code that indexes choices[0] of
	// every chunk must check its length first (openai-go's
	// ChatCompletionAccumulator and go-openai's stream reader handle it).
	// Default false: requests are sent exactly as the caller made them.
	IncludeUsage bool
	// Prices prices each call from its usage (gen_ai.usage.cost). Default:
	// the catalog embedded in this package (see BuiltinCatalog); extend or
	// override it with Catalog.With, or load one with ParseCatalog. A
	// response that carries the provider's own cost is recorded with that
	// figure instead.
	Prices *Catalog
	// Base sends the requests of a Transport. Middleware ignores it. Default
	// http.DefaultTransport.
	Base http.RoundTripper
}

// instrumenter is a resolved Config, shared by every call it instruments.
type instrumenter struct {
	bus          *bus.Bus
	module       string
	capture      bool
	maxContent   int // < 0: no cap
	includeUsage bool
	prices       *Catalog
}

func newInstrumenter(cfg Config) *instrumenter {
	in := &instrumenter{
		bus:          cfg.Bus,
		module:       cfg.Module,
		capture:      cfg.CaptureContent,
		maxContent:   cfg.MaxContentBytes,
		includeUsage: cfg.IncludeUsage,
		prices:       cfg.Prices,
	}
	if in.prices == nil {
		in.prices = BuiltinCatalog()
	}
	if in.module == "" {
		in.module = DefaultModule
	}
	if in.maxContent == 0 {
		in.maxContent = DefaultMaxContentBytes
	}
	return in
}
