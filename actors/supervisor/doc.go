// Package supervisor holds the policies that keep a failing sink from hurting
// anything else: the restart Policy applied when a sink's driver panics, the
// circuit Breaker that stops I/O to a backend that keeps failing, and the Retry
// schedule for failed batches.
//
// All three are plain structs whose zero value is a sensible default, so users
// tune them without learning protoactor. [Policy.Strategy] turns a Policy into
// the protoactor supervisor strategy the bus installs on its router; the
// Breaker is a small single-threaded state machine driven by the sink host
// actor, which owns it.
package supervisor
