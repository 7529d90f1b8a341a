package main

import (
	"context"
	"io"
)

// OutageResult is what a fault scenario found.
type OutageResult struct{}

func (o *OutageResult) write(w io.Writer) {}

func runOutage(ctx context.Context, cfg config, rep *Report) error    { return nil }
func runBlackhole(ctx context.Context, cfg config, rep *Report) error { return nil }
