package main

import (
	"slices"
	"strings"

	"github.com/streamll/streamll-go/events"
)

// maxTracked bounds the executions a filter by execution id remembers as
// descendants of the one asked for.
const maxTracked = 100_000

// filter says which events tail shows. The zero value shows everything.
type filter struct {
	types     []string
	tags      map[string]string
	module    string
	operation string
	// execution is the id (or the start of the id) asked for; tracked holds
	// it and every execution seen whose parent is tracked.
	execution string
	tracked   map[string]bool
	// noTokens leaves token events out.
	noTokens bool
}

func newFilter(types []string, tags map[string]string, module, operation, execution string) *filter {
	return &filter{types: types, tags: tags, module: module, operation: operation,
		execution: execution, tracked: map[string]bool{}}
}

// match reports whether ev is shown. It must see every event read, in
// order, so that it learns the children of a tracked execution.
func (f *filter) match(ev *events.Event) bool {
	if f.execution != "" && !f.inExecution(ev) {
		return false
	}
	if f.noTokens && ev.EventType == events.TypeToken {
		return false
	}
	if len(f.types) > 0 && !slices.Contains(f.types, string(ev.EventType)) {
		return false
	}
	if f.module != "" && ev.ModuleName != f.module {
		return false
	}
	if f.operation != "" && ev.Operation != f.operation {
		return false
	}
	for k, v := range f.tags {
		if got, ok := ev.Tags[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// inExecution reports whether ev belongs to the execution asked for or to
// one nested in it, at any depth: a child's events carry its parent's id.
func (f *filter) inExecution(ev *events.Event) bool {
	id := ev.ExecutionID
	if f.tracked[id] {
		return true
	}
	if id != "" && strings.HasPrefix(id, f.execution) || ev.ParentID != "" && f.tracked[ev.ParentID] {
		if len(f.tracked) < maxTracked {
			f.tracked[id] = true
		}
		return true
	}
	return false
}
