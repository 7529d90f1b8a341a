// Package memory is an in-process sink: it keeps the events it is given, in
// delivery order, for tests, examples and benchmarks.
//
// A test hands a memory sink to a bus, emits, and then waits for what it
// expects instead of sleeping:
//
//	mem, _ := memory.New(memory.Config{})
//	// ... give mem to the bus, emit three events ...
//	if err := mem.Wait(ctx, 3); err != nil { ... }
//	got := mem.Events()
//
// Write and Close are called by the sink's host, one call at a time. Events,
// Len and Wait may be called from any goroutine at any time, also after Close:
// Events returns a copy, Len reads a counter, and Wait sleeps on a
// notification instead of polling.
//
// The stored events are shallow copies: their Data and Tags maps are the ones
// the producer emitted, shared read-only by every sink, and must not be
// modified. With Config.Discard the sink keeps nothing and only counts, which
// makes it the zero-cost destination of throughput benchmarks: a Write then
// costs one atomic addition and allocates nothing.
package memory
