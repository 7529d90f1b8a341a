// Package bus is the public face of streamll-go: it streams the execution of
// an LLM application, as events, to the sinks a team already runs.
//
// The short start configures the process's default bus and closes it at the
// end of main:
//
//	b, err := bus.Use(terminal.To(os.Stdout))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer b.Shutdown() // delivers what is left, then logs what was not
//
// The explicit form, for services, is [New] with a [Config] (its own logger,
// intake and linger; no default unless [Configure] or [SetDefault] makes it
// one) and [Bus.Close] with a deadline of the caller's.
//
// Producers trace their code with executions: [Bus.Start] (or the
// package-level [Start]) begins one and emits its start event, the returned
// [Execution] emits tokens and custom events, and End or Finish closes it
// with an end or error event. Executions travel in a context.Context, so
// nested calls record their parent and inherit its tags, and code that was
// given the context reaches the current execution with [Token], [Emit],
// [TokenField], [End] and [EndWith] (or [FromContext]), which do nothing when
// the context carries none. [Instrument] and its siblings wrap a function so
// that every call is an execution, as Python's @streamll.instrument does.
// [Bus.Emit] hands the bus a whole event of the caller's making.
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
package bus
