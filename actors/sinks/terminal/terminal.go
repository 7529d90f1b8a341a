package terminal

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"reflect"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
)

// outputBufferSize holds a typical batch of lines, so a batch is usually one
// write to the output.
const outputBufferSize = 64 << 10

// Sink writes events to a terminal (or any io.Writer) as lines. Create it with
// New. Like every sink, it is called by its host from one goroutine at a time.
type Sink struct {
	cfg    Config
	output io.Writer
	out    *bufio.Writer
	colors palette
	closed bool

	// run is the token line left open for more tokens of one execution.
	run struct {
		open      bool
		execution string
	}

	// Buffers reused from event to event, so rendering does not allocate.
	line     []byte         // the text rendered for one event
	data     []byte         // the wire encoding of data being shown
	frame    events.Event   // an event holding only the data to encode
	filtered map[string]any // data minus the keys a line shows apart
	lead     map[string]any // the key a line shows first, alone
}

// New returns a terminal sink, or an error wrapping sinks.ErrInvalidConfig if
// cfg is invalid. With ColorAuto it decides on colours here, once.
func New(cfg Config) (*Sink, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("terminal: %w", err)
	}
	cfg = cfg.withDefaults()
	s := &Sink{
		cfg:      cfg,
		output:   cfg.Output,
		out:      bufio.NewWriterSize(cfg.Output, outputBufferSize),
		filtered: make(map[string]any),
		lead:     make(map[string]any, 1),
	}
	if useColor(cfg.Color, isTerminal(cfg.Output), os.Getenv("NO_COLOR")) {
		s.colors = ansi
	}
	return s, nil
}

// To returns a terminal sink that prints to w with every other setting at
// its default (the zero Config's), for the one-line start:
//
//	b, err := bus.Use(terminal.To(os.Stdout))
//
// A nil w means os.Stdout. Such a Config cannot be invalid, so To needs no
// error; use New for any other setting.
func To(w io.Writer) *Sink {
	s, err := New(Config{Output: w})
	if err != nil {
		panic("terminal: the default configuration is invalid: " + err.Error()) // unreachable: validate accepts the zero Config
	}
	return s
}

// Write prints one line per event of batch (tokens of one execution join one
// line) and flushes the output. After Close it returns an error matching
// sinks.ErrClosed and prints nothing. It does not watch ctx: printing a batch
// takes microseconds unless the output itself blocks.
func (s *Sink) Write(_ context.Context, batch []*events.Event) error {
	if s.closed {
		return fmt.Errorf("terminal: write: %w", sinks.ErrClosed)
	}
	for _, ev := range batch {
		s.line = s.render(s.line[:0], ev)
		if _, err := s.out.Write(s.line); err != nil {
			return s.failed(err)
		}
	}
	if err := s.out.Flush(); err != nil {
		return s.failed(err)
	}
	return nil
}

// failed recovers from an output error: the buffered text is dropped (the
// host retries the batch) and the next line starts afresh.
func (s *Sink) failed(err error) error {
	s.out.Reset(s.output)
	s.run.open = false
	return fmt.Errorf("terminal: write: %w", err)
}

// Close ends an open token line and flushes. It does not close Config.Output.
// Later Writes fail with sinks.ErrClosed; a second Close returns nil.
func (s *Sink) Close(context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.line = s.endRun(s.line[:0])
	if _, err := s.out.Write(s.line); err != nil {
		return s.failed(err)
	}
	if err := s.out.Flush(); err != nil {
		return s.failed(err)
	}
	return nil
}

// Name returns "terminal".
func (s *Sink) Name() string { return "terminal" }

// Destination says where the sink prints: "standard output", "standard
// error", or another writer by its type and address (an *os.File by its
// name too); "" for a writer that is not a pointer. A bus refuses a second
// sink with the same destination unless Options.Name tells them apart.
func (s *Sink) Destination() string {
	switch s.output {
	case os.Stdout:
		return "standard output"
	case os.Stderr:
		return "standard error"
	}
	v := reflect.ValueOf(s.output)
	if v.Kind() != reflect.Pointer {
		return ""
	}
	if f, ok := s.output.(*os.File); ok {
		return fmt.Sprintf("file %s at %#x", f.Name(), v.Pointer())
	}
	return fmt.Sprintf("writer %T at %#x", s.output, v.Pointer())
}

// HostOptions returns the host options of the Config given to New.
func (s *Sink) HostOptions() sinks.Options { return s.cfg.Options }
