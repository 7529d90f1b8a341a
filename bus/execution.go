package bus

import (
	"context"
	"fmt"
	"maps"
	"math"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/streamll/streamll-go/events"
)

// Op describes an execution: one traced step such as an LLM call, a
// retrieval or a whole module's forward pass.
type Op struct {
	// Operation names the step, such as "llm_call" or "retrieval".
	Operation string
	// Module names the component, such as "ChatBot". Default: the parent
	// execution's module.
	Module string
	// Method names the method, such as "forward". Default: the parent
	// execution's method.
	Method string
	// Tags label every event of this execution and of the executions nested
	// in it; they are merged over the parent's tags.
	Tags map[string]string
	// Data goes into the start event's data.
	Data map[string]any
	// ID is the execution's id. Default: a new 12-character id.
	ID string
	// TokenField is the data "field" of the execution's token events.
	// Default "answer".
	TokenField string
}

// Execution is one traced step in progress. Its methods are safe for
// concurrent use, and every method of a nil *Execution does nothing, so code
// can trace unconditionally.
type Execution struct {
	bus        *Bus
	id         string
	parent     string
	operation  string
	module     string
	method     string
	tokenField any // boxed once: Token runs once per streamed token
	tags       map[string]string
	caller     trace.SpanContext // the OpenTelemetry span the tree started in
	start      time.Time
	tokens     atomic.Int64
	ended      atomic.Bool
}

type executionKey struct{}

// FromContext returns the execution ctx carries, or nil.
func FromContext(ctx context.Context) *Execution {
	e, _ := ctx.Value(executionKey{}).(*Execution)
	return e
}

// Start begins an execution on b, nested in the execution ctx carries (if
// any), and emits its start event. The returned context carries the new
// execution; pass it to nested calls so their executions record this one as
// their parent. End the execution with End, or with Finish in a defer.
//
// A top-level execution started in a context that carries a valid
// OpenTelemetry span records that span in its start event (events.KeyTraceID,
// events.KeyParentSpanID), and its nested executions record the trace id, so
// that an OpenTelemetry sink makes the execution a child of the caller's span.
func (b *Bus) Start(ctx context.Context, op Op) (context.Context, *Execution) {
	if b == nil {
		return ctx, nil
	}
	parent := FromContext(ctx)
	e := &Execution{
		bus:       b,
		id:        op.ID,
		operation: op.Operation,
		module:    op.Module,
		method:    op.Method,
		tags:      op.Tags,
		start:     time.Now(),
	}
	if e.id == "" {
		e.id = events.NewID()
	}
	if parent != nil {
		e.parent = parent.id
		if e.module == "" {
			e.module = parent.module
		}
		if e.method == "" {
			e.method = parent.method
		}
		e.tags = mergeTags(parent.tags, op.Tags)
	}
	if op.TokenField == "" {
		op.TokenField = "answer"
	}
	e.tokenField = op.TokenField
	e.caller = callerSpan(ctx, parent)
	e.emit(events.TypeStart, withCallerSpan(op.Data, e.caller, parent == nil), e.start.Round(0))
	return context.WithValue(ctx, executionKey{}, e), e
}

// mergeTags returns child over parent, sharing a map when one side is empty
// (tag maps are never modified once an execution holds them).
func mergeTags(parent, child map[string]string) map[string]string {
	switch {
	case len(child) == 0:
		return parent
	case len(parent) == 0:
		return child
	}
	m := maps.Clone(parent)
	maps.Copy(m, child)
	return m
}

// ID returns the execution's id, or "" for a nil execution.
func (e *Execution) ID() string {
	if e == nil {
		return ""
	}
	return e.id
}

// ParentID returns the id of the execution this one is nested in, or "".
func (e *Execution) ParentID() string {
	if e == nil {
		return ""
	}
	return e.parent
}

// Tags returns the execution's tags, its parent's included. Do not modify
// the map.
func (e *Execution) Tags() map[string]string {
	if e == nil {
		return nil
	}
	return e.tags
}

// Token emits one streamed piece of the answer, with the execution's token
// field and the next token index.
func (e *Execution) Token(text string) {
	if e == nil {
		return
	}
	e.token(e.tokenField, text)
}

// TokenField emits one streamed piece of the output field named field.
func (e *Execution) TokenField(field, text string) {
	if e == nil {
		return
	}
	e.token(field, text)
}

func (e *Execution) token(field any, text string) {
	i := e.tokens.Add(1) - 1
	e.emit(events.TypeToken, map[string]any{
		events.KeyToken:      text,
		events.KeyTokenIndex: i,
		events.KeyField:      field,
	}, time.Time{})
}

// Emit emits a custom event, such as "docs_found", in the execution.
func (e *Execution) Emit(t events.Type, data map[string]any) {
	if e == nil {
		return
	}
	e.emit(t, data, time.Time{})
}

// End ends the execution: with an end event carrying duration_seconds when
// err is nil, or with an error event carrying error_type and error_message.
// Only the first End (or Finish) of an execution emits anything.
func (e *Execution) End(err error) { e.EndWith(nil, err) }

// EndWith ends the execution as End does, adding data (such as token usage
// under the gen_ai keys) to the end or error event. data is not modified.
// When data gives gen_ai.usage.input_tokens or output_tokens and no
// "tokens", the event also carries "tokens", their sum: the key the Python
// streamll's consumers read.
func (e *Execution) EndWith(data map[string]any, err error) {
	if e == nil || !e.ended.CompareAndSwap(false, true) {
		return
	}
	now := time.Now()
	d := make(map[string]any, len(data)+3)
	maps.Copy(d, data)
	d[events.KeyDurationSeconds] = now.Sub(e.start).Seconds()
	if _, ok := d[events.KeyTokens]; !ok {
		if total, ok := usageTotal(d); ok {
			d[events.KeyTokens] = total
		}
	}
	t := events.TypeEnd
	if err != nil {
		t = events.TypeError
		d[events.KeyErrorType] = fmt.Sprintf("%T", err)
		d[events.KeyErrorMessage] = err.Error()
	}
	e.emit(t, d, now.Round(0))
}

// Finish ends the execution when deferred. It ends it with *errp, or, if the
// function is panicking, with an error event describing the panic, and then
// lets the panic continue:
//
//	ctx, ex := b.Start(ctx, bus.Op{Operation: "retrieval"})
//	defer ex.Finish(&err)
//
// errp may be nil.
func (e *Execution) Finish(errp *error) {
	if r := recover(); r != nil {
		e.EndWith(map[string]any{"panic": true}, &PanicError{Value: r})
		panic(r)
	}
	var err error
	if errp != nil {
		err = *errp
	}
	e.End(err)
}

// PanicError describes a panic that ended an execution.
type PanicError struct {
	// Value is what the code panicked with.
	Value any
}

// Error describes the panic.
func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// emit emits an event of the execution at time at; a zero at leaves the
// timestamp to Emit, which takes it more cheaply than time.Now.
func (e *Execution) emit(t events.Type, data map[string]any, at time.Time) {
	e.bus.Emit(events.Event{
		ExecutionID: e.id,
		ParentID:    e.parent,
		Timestamp:   at,
		ModuleName:  e.module,
		MethodName:  e.method,
		EventType:   t,
		Operation:   e.operation,
		Data:        data,
		Tags:        e.tags,
	})
}

// usageTotal is input plus output tokens from d's gen_ai.usage keys (a
// negative count as 0), when at least one of them is a whole number.
func usageTotal(d map[string]any) (total int64, found bool) {
	for _, k := range [...]string{events.KeyGenAIUsageInputTokens, events.KeyGenAIUsageOutputTokens} {
		if n, ok := wholeNumber(d[k]); ok {
			total += max(n, 0)
			found = true
		}
	}
	return total, found
}

// wholeNumber reads v as an integer count, as callers write token usage.
func wholeNumber(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}
