package main

import (
	"fmt"
	"net"
	"sync"
	"time"
)

// proxy is the fault injector of -outage and -blackhole: a TCP relay on
// 127.0.0.1 between one sink and its loopback server. cut closes every relayed
// connection and refuses new ones (a crashed server); freeze stops relaying
// bytes in both directions while connections stay open (a partition or a hung
// server); restore ends either. The real servers, shared with others, are
// never stopped. Bytes a relay read before a freeze are forwarded on restore,
// as TCP would retransmit them, even if their sender gave up meanwhile: a
// request a client abandoned can still execute, which shows up as duplicates.
type proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	flow   *sync.Cond // signalled when state changes
	state  proxyState
	closed bool
	conns  map[net.Conn]struct{}
}

type proxyState int

const (
	relaying proxyState = iota
	cutOff
	frozen
)

// newProxy relays 127.0.0.1:<random port> to target, which must be a
// loopback address.
func newProxy(target string) (*proxy, error) {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("proxy target %q: %w", target, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("proxy target %q is not on the loopback interface; fault scenarios only run against local servers", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("proxy listen: %w", err)
	}
	p := &proxy{target: target, ln: ln, conns: map[net.Conn]struct{}{}}
	p.flow = sync.NewCond(&p.mu)
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// addr is the address clients dial instead of the target.
func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) cut() {
	p.set(cutOff)
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
}

func (p *proxy) freeze()  { p.set(frozen) }
func (p *proxy) restore() { p.set(relaying) }

func (p *proxy) set(s proxyState) {
	p.mu.Lock()
	p.state = s
	p.mu.Unlock()
	p.flow.Broadcast()
}

// close stops the proxy and its relays and waits for their goroutines.
func (p *proxy) close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.flow.Broadcast()
	p.ln.Close()
	p.wg.Wait()
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		refuse := p.closed || p.state == cutOff
		p.mu.Unlock()
		if refuse {
			client.Close()
			continue
		}
		server, err := net.DialTimeout("tcp", p.target, 2*time.Second)
		if err != nil {
			client.Close()
			continue
		}
		if !p.track(client, server) {
			continue
		}
		p.wg.Add(2)
		go p.relay(client, server)
		go p.relay(server, client)
	}
}

// track registers a relayed pair, unless the proxy was cut or closed
// meanwhile, in which case it closes both and returns false.
func (p *proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.state == cutOff {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a], p.conns[b] = struct{}{}, struct{}{}
	return true
}

// relay copies src to dst, holding each chunk while the proxy is frozen.
// Whichever side fails, both connections close.
func (p *proxy) relay(src, dst net.Conn) {
	defer p.wg.Done()
	defer func() {
		src.Close()
		dst.Close()
		p.mu.Lock()
		delete(p.conns, src)
		delete(p.conns, dst)
		p.mu.Unlock()
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.waitRelaying() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // EOF or a closed connection: the relay ends either way
		}
	}
}

// waitRelaying blocks while the proxy is frozen; false means cut or closed.
func (p *proxy) waitRelaying() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.state == frozen && !p.closed {
		p.flow.Wait()
	}
	return p.state == relaying && !p.closed
}
