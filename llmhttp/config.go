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
	// Base sends the requests of a Transport. Middleware ignores it. Default
	// http.DefaultTransport.
	Base http.RoundTripper
}

// instrumenter is a resolved Config, shared by every call it instruments.
type instrumenter struct {
	bus        *bus.Bus
	module     string
	capture    bool
	maxContent int // < 0: no cap
}

func newInstrumenter(cfg Config) *instrumenter {
	in := &instrumenter{
		bus:        cfg.Bus,
		module:     cfg.Module,
		capture:    cfg.CaptureContent,
		maxContent: cfg.MaxContentBytes,
	}
	if in.module == "" {
		in.module = DefaultModule
	}
	if in.maxContent == 0 {
		in.maxContent = DefaultMaxContentBytes
	}
	return in
}
