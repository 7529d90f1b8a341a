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
	link     *link
	src, dst net.Conn

	mu     sync.Mutex
	cond   sync.Cond
	held   []byte
	eof    bool // src has ended
	frozen bool
	dead   bool // the link is closed
}

func newPump(l *link, src, dst net.Conn) *pump {
	pu := &pump{link: l, src: src, dst: dst}
	pu.cond.L = &pu.mu
	return pu
}

func (pu *pump) setFrozen(frozen bool) {
	pu.mu.Lock()
	pu.frozen = frozen
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

func (pu *pump) write() {
	defer pu.link.p.wg.Done()
	var out []byte
	for {
		pu.mu.Lock()
		for !pu.dead && (pu.frozen || (len(pu.held) == 0 && !pu.eof)) {
			pu.cond.Wait()
		}
		if pu.dead || len(pu.held) == 0 {
			// Closed, or the sender ended and everything was passed on.
			pu.mu.Unlock()
			pu.link.close()
			return
		}
		out, pu.held = pu.held, out[:0]
		pu.mu.Unlock()
		pu.cond.Broadcast() // the reader may wait for room
		if _, err := pu.dst.Write(out); err != nil {
			pu.link.close()
			return
		}
	}
}
