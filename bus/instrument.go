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
// as its parent and inherits its tags. A nil b uses the default bus at call
// time (see SetDefault); with no bus at all fn runs untraced.
func Instrument[In, Out any](b *Bus, op Op, fn func(context.Context, In) (Out, error)) func(context.Context, In) (Out, error) {
	return func(ctx context.Context, in In) (out Out, err error) {
		target := b
		if target == nil {
			target = busFor(ctx)
		}
		ctx, ex := target.Start(ctx, op)
		defer ex.Finish(&err)
		return fn(ctx, in)
	}
}
