// Package sinktest is the conformance suite every sink driver runs, in the way
// testing/slogtest checks a log/slog Handler: one shared set of cases proves
// that the terminal, memory, Redis, RabbitMQ and OpenTelemetry drivers keep
// the same [sinks.Sink] contract, so the host can treat them as
// interchangeable.
//
// It is an ordinary (non-test) package so that a driver's own tests can import
// it. A driver describes itself with a [Harness]: how to make a fresh sink with
// its own destination (a stream key, a queue, a buffer), how to read back what
// that destination received, and, in [Features], what it can promise. [Run]
// then runs every case as a subtest. Each case checks a rule of the
// sinks.Sink contract, and a case that fails logs that rule, quoted from the
// contract's documentation, as testing/slogtest gives each case an
// explanation:
//
//   - Delivery: a batch arrives with every wire field intact after a JSON round
//     trip (compared through events.AppendJSON, so timestamps are compared at
//     the wire's microsecond precision).
//   - Order: many batches arrive in FIFO order.
//   - BatchBoundaries: a batch of one, a nil and an empty batch (nil error,
//     nothing delivered), and one large batch.
//   - CloseFlushes: everything written before Close has arrived once Close
//     returns.
//   - CloseIdempotent: a second Close returns nil.
//   - CloseWithoutWrite: Close before any Write succeeds, leaves no goroutine
//     behind, and later Writes fail with sinks.ErrClosed.
//   - WriteAfterClose: fails with an error matching sinks.ErrClosed and
//     delivers nothing.
//   - CancelledContext: Write with an already-cancelled context returns
//     promptly (an error or nil; nil must mean delivered), and the sink still
//     works afterwards.
//   - ResentBatch: a batch written again, whole or in part, as the host
//     re-sends one whose delivery it could not see, is taken without an error
//     and delivered at least once, ahead of what follows.
//   - UnserializableData: NaN, an infinity, a channel, a function and a cycle in
//     Data do not stop the event; a consumer finds marked placeholder strings
//     (see events.Unsupported) in their place.
//   - NoGoroutineLeak: New, Write, Close leaves no goroutine behind.
//
// A driver that reaches its destination over TCP also sets Harness.Proxied,
// which builds a sink that dials through a [Proxy] the suite controls (on
// internal/faultproxy), and the fault cases run:
//
//   - Faults/CutThenRestored: through a cut connection Write fails, claims no
//     event delivered, and does not mark its error permanent; once restored,
//     the batch retried as the host retries it is delivered, in order.
//   - Faults/FrozenGivesUp: through a frozen connection Write returns by its
//     context's deadline, with an error a retry may cure; once restored, the
//     retried batch is delivered (at least once).
//   - Faults/PartialBatch: the connection is cut in the middle of the
//     destination's replies to a large batch; whatever Write returns must be
//     true: the events a *sinks.BatchError does not list have arrived, its
//     indexes are positions in that Write's batch, ascending, each once, and
//     after the listed events are re-sent as a batch of their own (whose
//     indexes refer to it) every event has arrived.
//
// [Deliver] retries a batch as a host does (a BatchError's events only,
// after a pause), for a driver's own fault tests. [Destinations] and [Await]
// keep a harness short.
//
// A driver's conformance test looks like this:
//
//	func TestConformance(t *testing.T) {
//		sinktest.Run(t, sinktest.Harness{
//			New: func(t *testing.T) sinks.Sink {
//				s, err := memory.New(memory.Config{})
//				if err != nil {
//					t.Fatal(err)
//				}
//				return s
//			},
//			Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
//				m := s.(*memory.Sink)
//				_ = m.Wait(ctx, want) // on timeout, report what arrived
//				return m.Events()
//			},
//		})
//	}
//
// Rules for a harness: New registers any cleanup of its destination with
// t.Cleanup; the suite closes every sink it makes. Received must keep working
// after the sink is closed, must not return events of another sink's
// destination, and must not block past ctx; it returns every copy the
// destination holds, since the fault and re-send cases allow duplicates.
// Because the NoGoroutineLeak case inspects every goroutine of the process,
// do not call Run from a parallel test, and stop any background goroutine a
// harness starts before it returns (or start it before Run).
//
// [MakeEvents] builds the varied, uniquely identified events the suite sends;
// drivers may use it in their own tests too. A driver that delivers an
// execution's events only when the execution ends, as an OpenTelemetry span
// exporter does, sets Features.WholeExecutions, and the suite sends whole
// executions made by [MakeExecutions] instead.
package sinktest
