// Package supervisor holds the policies that keep a failing sink from hurting
// anything else: the restart Policy applied when a sink's driver panics, the
// circuit Breaker that stops I/O to a backend that keeps failing, and the Retry
// schedule for failed batches.
//
// All three are plain structs whose zero value is a sensible default, so users
// tune them without learning anything about actors. Beside each policy is the
// small state machine that applies it ([Restarts], [Breaker], [RetryState]):
// each serves one sink and is driven from one goroutine (the breaker and the
// retry schedule by the sink's host, the restarts by its supervisor, the
// bus's router), and is given the time rather than reading a clock, so its
// behaviour is tested by tables.
//
// [Restart] and [Resume] differ in what the sink keeps: a restart closes the
// driver and rebuilds it from its configuration (see sinks.Rebuilder), a
// resume carries on with the same instance. Both keep the sink's buffer and
// its batch in hand, and both wait out the policy's backoff.
package supervisor
