package main

import "context"

func runDashboard(ctx context.Context, args []string, e env) int { return exitOK }
