package bus

import (
	"context"

	"github.com/streamll/streamll-go/events"
)

// The functions of this file act on the execution a context carries (see
// FromContext), so that code called from an instrumented function streams
// tokens and custom events with the ctx it was given, and nothing else. Each
// does nothing when ctx carries no execution, as the methods of a nil
// *Execution do: code can call them unconditionally, traced or not.

// Token emits one streamed piece of the answer in the execution ctx
// carries; see Execution.Token.
func Token(ctx context.Context, text string) { FromContext(ctx).Token(text) }

// TokenField emits one streamed piece of the output field named field in the
// execution ctx carries; see Execution.TokenField.
func TokenField(ctx context.Context, field, text string) { FromContext(ctx).TokenField(field, text) }

// Emit emits a custom event, such as "docs_found", in the execution ctx
// carries; see Execution.Emit. To emit a whole events.Event on a bus of your
// choosing, call that bus's Emit (bus.Default().Emit(ev) for the default
// bus).
func Emit(ctx context.Context, t events.Type, data map[string]any) { FromContext(ctx).Emit(t, data) }

// End ends the execution ctx carries, with an end event, or with an error
// event when err is not nil; see Execution.End. An execution that Instrument
// started is ended by Instrument when the function returns: End is for
// executions begun with Start.
func End(ctx context.Context, err error) { FromContext(ctx).End(err) }

// EndWith ends the execution ctx carries as End does, adding data (such as
// token usage under the gen_ai keys) to its end or error event; see
// Execution.EndWith. Inside an instrumented function it ends the execution
// there, with data, and Instrument's own end is then skipped.
func EndWith(ctx context.Context, data map[string]any, err error) {
	FromContext(ctx).EndWith(data, err)
}
