package terminal_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/terminal"
	"github.com/streamll/streamll-go/events"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name    string
		cfg     terminal.Config
		wantErr bool
	}{
		{"zero value", terminal.Config{}, false},
		{"every field set", terminal.Config{
			Options: sinks.Options{Name: "console"}, Output: &bytes.Buffer{}, Color: terminal.ColorNever,
			HideTokens: true, HideData: true, MaxDataLen: -1, TimeFormat: time.Kitchen, Location: time.UTC,
		}, false},
		{"unknown colour mode", terminal.Config{Color: terminal.ColorMode(7)}, true},
		{"negative colour mode", terminal.Config{Color: terminal.ColorMode(-1)}, true},
		{"invalid host options", terminal.Config{Options: sinks.Options{BufferSize: -1}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := terminal.New(tt.cfg)
			if tt.wantErr {
				if !errors.Is(err, sinks.ErrInvalidConfig) {
					t.Fatalf("New = %v, want an error matching sinks.ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("New = %v", err)
			}
			if s.Name() != "terminal" || s.HostOptions().Name != tt.cfg.Name {
				t.Errorf("Name = %q, HostOptions().Name = %q", s.Name(), s.HostOptions().Name)
			}
		})
	}
}

func TestTimeFormatAndLocation(t *testing.T) {
	var out bytes.Buffer
	s, err := terminal.New(terminal.Config{
		Output: &out, Color: terminal.ColorNever, TimeFormat: time.DateTime, Location: time.FixedZone("UTC+2", 2*3600),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []*events.Event{ev("note", "op", nil)}); err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "[2026-11-26 18:31:42] ◆ note op (abc123)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestColors(t *testing.T) {
	batch := []*events.Event{
		ev(events.TypeStart, "llm_call", map[string]any{"q": "?"}),
		token("abc123XYZ789", "hi"),
		ev(events.TypeEnd, "llm_call", nil),
		ev(events.TypeError, "llm_call", map[string]any{events.KeyErrorMessage: "boom"}),
		ev("docs_found", "retrieval", nil),
	}
	// Outputs, and how to read back what was written to them.
	buffer := func(t *testing.T) (io.Writer, func() string) {
		var b bytes.Buffer
		return &b, b.String
	}
	pipe := func(t *testing.T) (io.Writer, func() string) {
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close(); w.Close() })
		return w, func() string {
			w.Close()
			b, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	tests := []struct {
		name    string
		color   terminal.ColorMode
		noColor string
		output  func(t *testing.T) (io.Writer, func() string)
		want    bool
	}{
		{"auto on a buffer", terminal.ColorAuto, "", buffer, false},
		{"auto on a pipe", terminal.ColorAuto, "", pipe, false},
		{"auto with NO_COLOR", terminal.ColorAuto, "1", pipe, false},
		{"never", terminal.ColorNever, "", pipe, false},
		{"always", terminal.ColorAlways, "", buffer, true},
		{"always on a pipe with NO_COLOR", terminal.ColorAlways, "1", pipe, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.noColor)
			out, read := tt.output(t)
			s, err := terminal.New(terminal.Config{Output: out, Color: tt.color, Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write(t.Context(), batch); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(t.Context()); err != nil {
				t.Fatal(err)
			}
			got := read()
			if has := strings.Contains(got, "\x1b"); has != tt.want {
				t.Fatalf("escape codes in output = %v, want %v:\n%q", has, tt.want, got)
			}
			if !tt.want {
				return
			}
			for _, part := range []string{
				"\x1b[32m▶", "\x1b[36m•", "\x1b[34m■", "\x1b[1;31m✗", "\x1b[33m◆",
				"\x1b[2m[16:31:42.156]\x1b[0m", "\x1b[2m(abc123)\x1b[0m",
			} {
				if !strings.Contains(got, part) {
					t.Errorf("output lacks %q:\n%q", part, got)
				}
			}
		})
	}
}
