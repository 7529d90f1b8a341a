package faultproxy

import (
	"net"
	"sync"
)

// pump carries one direction of a link. Its reader goroutine moves bytes from
// src into held; its writer goroutine moves them on to dst unless the pump is
// frozen. Keeping the two apart lets the reader notice that the sender closed
// its connection while the writer is held back by a freeze.
type pump struct {
	link       *link
	src, dst   net.Conn
	frames     func([]byte) int // whole frames at the start of held; nil: all of it
	fromServer bool             // the server-to-client direction: CutAfter counts it

	mu       sync.Mutex
	cond     sync.Cond
	held     []byte
	injected []byte // bytes to send once the first after bytes of held went (Inject)
	after    int
	eof      bool // src has ended
	frozen   bool
	dead     bool // the link is closed
}

func newPump(l *link, src, dst net.Conn, frames func([]byte) int) *pump {
	pu := &pump{link: l, src: src, dst: dst, frames: frames}
	pu.cond.L = &pu.mu
	return pu
}

func (pu *pump) setFrozen(frozen bool) {
	pu.mu.Lock()
	pu.frozen = frozen
	pu.mu.Unlock()
	pu.cond.Broadcast()
}

func (pu *pump) inject(b []byte) {
	pu.mu.Lock()
	if len(pu.injected) == 0 {
		pu.after = pu.ready() // what arrived whole before the injection goes first
	}
	pu.injected = append(pu.injected, b...)
	pu.mu.Unlock()
	pu.cond.Broadcast()
}

func (pu *pump) stop() {
	pu.mu.Lock()
	pu.dead = true
	pu.held = nil
	pu.mu.Unlock()
	pu.cond.Broadcast()
}

func (pu *pump) read() {
	defer pu.link.p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := pu.src.Read(buf)
		pu.mu.Lock()
		pu.held = append(pu.held, buf[:n]...)
		if err != nil {
			pu.eof = true
			// A sender that closed during a freeze gave up on what it
			// sent: drop the link rather than deliver it late.
			dropped := pu.frozen
			pu.mu.Unlock()
			pu.cond.Broadcast()
			if dropped {
				pu.link.close()
			}
			return
		}
		for len(pu.held) >= maxHeld && !pu.dead {
			pu.cond.Wait()
		}
		dead := pu.dead
		pu.mu.Unlock()
		pu.cond.Broadcast()
		if dead {
			return
		}
	}
}

// ready returns how many bytes of held may go now: all of them, or the whole
// frames at their start (all once the sender has ended).
func (pu *pump) ready() int {
	if pu.frames == nil || pu.eof {
		return len(pu.held)
	}
	return pu.frames(pu.held)
}

func (pu *pump) write() {
	defer pu.link.p.wg.Done()
	var out []byte
	for {
		pu.mu.Lock()
		for !pu.dead && (pu.frozen || (pu.ready() == 0 && len(pu.injected) == 0 && !pu.eof)) {
			pu.cond.Wait()
		}
		if pu.dead || (len(pu.held) == 0 && len(pu.injected) == 0) {
			// Closed, or the sender ended and everything was passed on.
			pu.mu.Unlock()
			pu.link.close()
			return
		}
		n := pu.ready()
		if len(pu.injected) > 0 {
			n = min(n, pu.after)
			pu.after -= n
		}
		switch {
		case n == 0:
			out, pu.injected = pu.injected, out[:0]
		case n == len(pu.held):
			out, pu.held = pu.held, out[:0]
		default:
			out = append(out[:0], pu.held[:n]...)
			pu.held = append(pu.held[:0], pu.held[n:]...)
		}
		pu.mu.Unlock()
		pu.cond.Broadcast() // the reader may wait for room
		send, cut := len(out), false
		if pu.fromServer {
			send, cut = pu.link.p.spend(len(out))
		}
		if _, err := pu.dst.Write(out[:send]); err != nil {
			pu.link.close()
			return
		}
		if cut {
			pu.link.p.Cut()
			return
		}
	}
}
