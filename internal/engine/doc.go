// Package engine is the runtime behind package bus: the intake Emit writes
// into, the router actor, one host actor per sink with its writer goroutine,
// and the Flush and Close protocol. It is the only package that imports
// protoactor-go; nothing of it appears in an exported signature.
//
// The path of an event: Emit copies it into a slot of the intake (a bounded
// lock-free queue, no allocation); the router takes events in turns, copies
// each to the heap and hands it, in chunks, to every host whose filter
// accepts it; a host keeps it in its delivery state machine (buffer, batch in
// hand, retries, breaker) and gives batches to its writer, the only goroutine
// that calls the driver. Memory is bounded at every step: the intake by its
// size, each host's inbox by about its BufferSize, each buffer by
// Options.BufferSize. What does not fit is dropped at once and counted.
//
// Protoactor supplies the mailboxes for control messages (wake-ups, outcomes,
// Flush, Close, supervision), the supervision of hosts by the router, and the
// actors' lifecycle. Events never travel through a mailbox.
package engine
