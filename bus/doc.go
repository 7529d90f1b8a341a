// Package bus is the public face of streamll-go: it streams the execution of
// an LLM application, as events, to the sinks a team already runs.
//
// A [Bus] is made from a [Config] listing sinks (see the actors/sinks
// drivers). Producers call [Bus.Emit], or more often trace their code with
// executions: [Bus.Start] begins one and emits its start event, the returned
// [Execution] emits tokens and custom events, and End or Finish closes it with
// an end or error event. Executions travel in a context.Context, so nested
// calls record their parent and inherit its tags. [Instrument] wraps a
// function so that every call is an execution, as Python's
// @streamll.instrument does.
//
// Inside, the bus is a small actor system (protoactor-go, kept out of every
// exported signature): Emit copies the event into a bounded lock-free intake,
// without a lock or an allocation, and a router actor hands it from there to
// one host actor per sink whose filter accepts it. Each host batches, buffers
// (bounded; with a spool, on disk beyond that), retries with backoff,
// isolates a failing backend behind a circuit breaker, and is restarted by its
// supervisor, its driver rebuilt, if the driver panics. None of that runs on
// the producer's goroutine, and no queue on the way is unbounded: Emit never
// waits for a sink, and what does not fit is dropped and counted.
//
// Every event is accounted for per sink: delivered, dropped with a reason, or
// still buffered. [Bus.Health] reports it and [Bus.Flush] waits until what
// was emitted is delivered or counted. [Bus.Close] drains everything until
// its context ends, and its error counts every event lost since [New].
//
// A process may set one default bus ([Configure], [SetDefault]) used by the
// package-level [Emit], [Start] and by Instrument with a nil bus.
package bus
