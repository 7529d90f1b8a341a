// Package sinks defines what a sink is and how the bus runs each one: the
// contract a driver implements, the Options its host applies, and the Health
// it reports. The runtime that hosts the sinks is internal to the bus.
//
// A [Sink] is a small interface, Write a batch and Close, that a driver
// implements without knowing anything about actors, in the way a log/slog
// Handler is written without knowing log internals. The host calls it from one
// goroutine at a time. Errors say what happened to the batch: nil (all
// delivered), a [*BatchError] (some delivered, the rest listed), an error marked
// [Permanent] (retrying cannot help), or anything else (retry the whole batch).
// A panic is a crash: the sink's supervisor restarts it (closing the driver and
// asking a [Rebuilder] for a fresh instance), resumes or stops it as its
// policy says, and the batch in hand survives a restart or a resume.
//
// The host gives every sink, whatever its driver, the same guarantees: its own
// bounded inbox, so a slow sink never slows the others or a producer; batching
// that adapts to load; a bounded buffer with a counted overflow policy;
// retries with backoff that keep order; a circuit breaker; an optional
// crash-durable [Spool] on local disk; and counters that account for every
// event it received as delivered, dropped (with a [DropReason]) or still
// buffered. [Options] configure all of it; the zero value is a sound default.
//
// The drivers live in subpackages (memory, terminal, redissink, rabbitmqsink,
// natssink, otelsink), and every driver passes the conformance suite in
// sinktest. The Sink doc states the rules a driver author needs (what comes
// back after a failure, what the context carries, when Close comes);
// docs/writing-a-sink.md writes a sink by them, step by step.
package sinks
