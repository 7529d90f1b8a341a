package sinklog_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/streamll/streamll-go/internal/sinklog"
)

func TestLogger(t *testing.T) {
	var own, host bytes.Buffer
	text := func(b *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

	silent := sinklog.New(nil, "redis:x")
	silent.Warn("nowhere") // no logger yet: discarded
	silent.LogTo(text(&host).With("sink", "audit"))
	silent.Warn("to the host")
	silent.LogTo(nil) // keeps the host's

	mine := sinklog.New(text(&own), "audit")
	mine.LogTo(text(&host))
	mine.Info("to the Config's")

	if got := host.String(); strings.Count(got, "\n") != 1 || !strings.Contains(got, "msg=\"to the host\" sink=audit") {
		t.Errorf("host logger got %q", got)
	}
	if got := own.String(); !strings.Contains(got, "msg=\"to the Config's\" sink=audit") {
		t.Errorf("Config's logger got %q", got)
	}
}
