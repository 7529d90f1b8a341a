package terminal

import (
	"bytes"
	"os"
	"testing"
)

// TestUseColor covers the case the external tests cannot build: a real
// terminal, with and without NO_COLOR.
func TestUseColor(t *testing.T) {
	tests := []struct {
		name     string
		mode     ColorMode
		terminal bool
		noColor  string
		want     bool
	}{
		{"auto on a terminal", ColorAuto, true, "", true},
		{"auto on a terminal with NO_COLOR", ColorAuto, true, "1", false},
		{"auto on a terminal with NO_COLOR of any value", ColorAuto, true, "false", false},
		{"auto elsewhere", ColorAuto, false, "", false},
		{"always elsewhere with NO_COLOR", ColorAlways, false, "1", true},
		{"never on a terminal", ColorNever, true, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := useColor(tt.mode, tt.terminal, tt.noColor); got != tt.want {
				t.Errorf("useColor(%v, %v, %q) = %v, want %v", tt.mode, tt.terminal, tt.noColor, got, tt.want)
			}
		})
	}
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if isTerminal(w) {
		t.Error("a pipe is reported as a terminal")
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a bytes.Buffer is reported as a terminal")
	}
	w.Close()
	if isTerminal(w) {
		t.Error("a closed file is reported as a terminal")
	}
}

func TestDataFrame(t *testing.T) {
	// The data cut out of the frame is exactly the wire encoding of Data.
	s, err := New(Config{Output: &bytes.Buffer{}, MaxDataLen: -1})
	if err != nil {
		t.Fatal(err)
	}
	got := string(s.appendData(nil, map[string]any{"b": []any{1, "x"}, "a": map[string]any{"c": nil}}, nil, ""))
	if want := ` {"a":{"c":null},"b":[1,"x"]}`; got != want {
		t.Errorf("appendData = %q, want %q", got, want)
	}
	if len(s.filtered) != 0 || s.frame.Data != nil {
		t.Error("appendData keeps references to the event's data")
	}
}
