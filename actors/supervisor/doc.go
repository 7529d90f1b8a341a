// Package supervisor holds the policies that keep a failing sink from hurting
// anything else: the restart Policy applied when a sink's driver panics, the
// circuit Breaker that stops I/O to a backend that keeps failing, and the Retry
// schedule for failed batches.
//
// All three are plain structs whose zero value is a sensible default, so users
// tune them without learning anything about actors. Beside each policy is the
// small state machine that applies it ([Restarts], [Breaker], [RetryState]):
// each is driven by one sink's host from one goroutine, and is given the time
// rather than reading a clock, so its behaviour is tested by tables.
package supervisor
