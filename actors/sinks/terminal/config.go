package terminal

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/streamll/streamll-go/actors/sinks"
)

// ColorMode says when the sink colours its output.
type ColorMode int

const (
	// ColorAuto colours the output only when Output is an *os.File that is a
	// terminal and the NO_COLOR environment variable is unset or empty. This
	// is the default.
	ColorAuto ColorMode = iota
	// ColorAlways colours the output whatever it is, NO_COLOR included, for
	// programs that decide themselves (a --color=always flag).
	ColorAlways
	// ColorNever never writes a colour code.
	ColorNever
)

// String names the mode.
func (m ColorMode) String() string {
	switch m {
	case ColorAuto:
		return "auto"
	case ColorAlways:
		return "always"
	case ColorNever:
		return "never"
	}
	return fmt.Sprintf("ColorMode(%d)", int(m))
}

// Defaults for Config.
const (
	DefaultMaxDataLen = 200
	DefaultTimeFormat = "15:04:05.000"
)

// Config configures a terminal sink. The zero value prints every event, in
// colour on a terminal, to standard output.
type Config struct {
	// Options configure the host that runs the sink. Default: see
	// sinks.Options.
	sinks.Options
	// Output receives the lines. The sink does not close it, and calls it from
	// one goroutine at a time. Default os.Stdout.
	Output io.Writer
	// Color says when to use ANSI colours. Default ColorAuto.
	Color ColorMode
	// HideTokens leaves token events out. Default false: tokens are shown.
	HideTokens bool
	// HideData leaves data out of every line; durations and error messages
	// are still shown. Default false: data is shown.
	HideData bool
	// MaxDataLen cuts the data shown on a line to this many characters
	// (runes), followed by "…". Negative means no limit. Default 200.
	MaxDataLen int
	// TimeFormat lays out the time that starts each line, as time.Format does.
	// Default "15:04:05.000".
	TimeFormat string
	// Location is the time zone of the times shown. Default time.Local.
	Location *time.Location
}

// withDefaults returns c with every unset field at its default.
func (c Config) withDefaults() Config {
	if c.Output == nil {
		c.Output = os.Stdout
	}
	if c.MaxDataLen == 0 {
		c.MaxDataLen = DefaultMaxDataLen
	}
	if c.TimeFormat == "" {
		c.TimeFormat = DefaultTimeFormat
	}
	if c.Location == nil {
		c.Location = time.Local
	}
	return c
}

// validate reports every configuration error in c, each wrapping
// sinks.ErrInvalidConfig.
func (c Config) validate() error {
	var colorErr error
	if c.Color < ColorAuto || c.Color > ColorNever {
		colorErr = fmt.Errorf("%w: unknown Color %v", sinks.ErrInvalidConfig, c.Color)
	}
	return errors.Join(c.Options.Validate(), colorErr)
}

// useColor decides whether to colour output: always or never when asked,
// otherwise only on a terminal and when NO_COLOR is unset or empty, as
// https://no-color.org asks.
func useColor(mode ColorMode, isTerminal bool, noColor string) bool {
	switch mode {
	case ColorAlways:
		return true
	case ColorNever:
		return false
	}
	return isTerminal && noColor == ""
}

// isTerminal reports whether w is an *os.File open on a terminal. It reads
// the descriptor through SyscallConn, since File.Fd would switch a
// non-blocking file to blocking mode.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	tty := false
	if err := rc.Control(func(fd uintptr) { tty = term.IsTerminal(int(fd)) }); err != nil {
		return false
	}
	return tty
}
