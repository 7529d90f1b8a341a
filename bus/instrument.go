package bus

import "context"

// Instrument wraps fn so that every call is an execution: a start event, then
// an end event with its duration, or an error event when fn returns an error
// or panics (the panic continues after the event). It is Go's counterpart of
// the Python @streamll.instrument decorator:
//
//	analyze := bus.Instrument(b, bus.Op{Module: "DocumentAnalyzer", Operation: "forward",
//		Tags: map[string]string{"customer_id": id}}, analyzeDocument)
//
// Calls nest: an execution started from the ctx fn receives records this one
// as its parent and inherits its tags, and the package-level Token, Emit and
// TokenField called with that ctx stream into this execution. A nil b uses
// the bus of the execution the call's ctx carries, else the default bus, at
// call time (see Use); with no bus at all fn runs untraced.
//
// Its siblings take the other common shapes: InstrumentNoInput,
// InstrumentNoResult, InstrumentFunc and Instrument2.
func Instrument[In, Out any](b *Bus, op Op, fn func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (out Out, err error) {
		ctx, ex := b.begin(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx, in)
	}
}

// InstrumentNoInput is Instrument for a function that takes only a context.
func InstrumentNoInput[Out any](b *Bus, op Op, fn func(context.Context) (Out, error)) func(context.Context) (Out, error) {
	return func(ctx context.Context) (out Out, err error) {
		ctx, ex := b.begin(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx)
	}
}

// InstrumentNoResult is Instrument for a function that returns only an error.
func InstrumentNoResult[In any](b *Bus, op Op, fn func(context.Context, In) error) func(context.Context, In) error {
	return func(ctx context.Context, in In) (err error) {
		ctx, ex := b.begin(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx, in)
	}
}

// InstrumentFunc is Instrument for a func(context.Context) error: no input,
// no result.
func InstrumentFunc(b *Bus, op Op, fn func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) (err error) {
		ctx, ex := b.begin(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx)
	}
}

// Instrument2 is Instrument for a function of two inputs.
func Instrument2[A, B, Out any](b *Bus, op Op, fn func(context.Context, A, B) (Out, error)) func(context.Context, A, B) (Out, error) {
	return func(ctx context.Context, a A, bb B) (out Out, err error) {
		ctx, ex := b.begin(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx, a, bb)
	}
}

// begin starts an instrumented call's execution on b, or, for a nil b, on
// the bus the call's ctx leads to.
func (b *Bus) begin(ctx context.Context, op Op) (context.Context, *Execution) {
	if b == nil {
		b = busFor(ctx)
	}
	return b.Start(ctx, op)
}
