package engine

import _ "unsafe" // for go:linkname

// procPin and procUnpin are the runtime's own (sync.Pool uses them): between
// them the goroutine cannot be preempted. The intake claims a slot and fills
// it inside such a window, so a producer descheduled by the Go scheduler never
// leaves a claimed, unfilled slot that the router would have to wait for
// while 64 other producers run first.
//
// The runtime keeps both linkable on purpose (see go.dev/issue/67401).

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()
