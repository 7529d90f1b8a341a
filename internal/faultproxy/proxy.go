package faultproxy

import (
	"fmt"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Limits of a Proxy.
const (
	// MaxConns bounds the connections a proxy holds; more are closed at once.
	MaxConns = 128
	// maxHeld bounds the bytes held per direction of a connection; past it
	// the proxy stops reading from the sender, which then blocks as it would
	// against a full TCP window.
	maxHeld = 1 << 20
	// dialTimeout bounds the dial to the target for each new connection.
	dialTimeout = 2 * time.Second
)

// Proxy forwards TCP connections from its own loopback address to a target,
// and can cut or freeze them. Its methods are safe for concurrent use.
type Proxy struct {
	target string
	frames func([]byte) int // see NewFramed; nil: a byte stream
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	cut    bool
	frozen bool
	closed bool
	budget int // bytes the server may still send before a cut (CutAfter); -1: no limit
	links  map[*link]struct{}
}

// New starts a proxy to target ("host:port" on the loopback interface) and
// registers its Close with t.Cleanup. It fails t if the proxy cannot start.
func New(t testing.TB, target string) *Proxy {
	t.Helper()
	p, err := Start(target)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(p.Close)
	return p
}

// NewFramed is New for a protocol of frames: frames returns how many bytes
// at the start of b are whole frames (0 while the first is incomplete). The
// proxy then forwards the server's bytes to a client frame by frame, so
// that Inject lands between two frames; the client's bytes go on as they
// come.
func NewFramed(t testing.TB, target string, frames func(b []byte) int) *Proxy {
	t.Helper()
	p, err := start(target, frames)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(p.Close)
	return p
}

// ToURL starts a proxy, as New does, to the host of rawURL (on defaultPort
// when the URL names no port), and returns it with rawURL pointed at it.
func ToURL(t testing.TB, rawURL, defaultPort string) (*Proxy, string) {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatalf("faultproxy: %v", err)
		return nil, ""
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), defaultPort)
	}
	p := New(t, target)
	u.Host = p.Addr()
	return p, u.String()
}

// Start starts a proxy to target ("host:port" on the loopback interface),
// outside a test (the bench command uses it); the caller closes it.
func Start(target string) (*Proxy, error) { return start(target, nil) }

func start(target string, frames func([]byte) int) (*Proxy, error) {
	host, _, err := net.SplitHostPort(target)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: target %q: %w", target, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("faultproxy: target %q is not a loopback address; fault scenarios only run against local servers", target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("faultproxy: listen: %w", err)
	}
	p := &Proxy{target: target, frames: frames, ln: ln, budget: -1, links: make(map[*link]struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the proxy's address, "127.0.0.1:port", for clients to dial.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Conns returns how many connections the proxy holds open.
func (p *Proxy) Conns() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.links)
}

// Cut closes every connection, and closes each new one as soon as it is
// accepted, until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	p.cut = true
	links := p.snapshot()
	p.mu.Unlock()
	for _, l := range links {
		l.close()
	}
}

// CutAfter lets the server send at most n more bytes to the clients, over
// every connection, and then cuts as Cut does: a connection that breaks in
// the middle of the replies, so that a client hears some of them and not
// the rest. Restore disarms it, as it ends a cut.
func (p *Proxy) CutAfter(n int) {
	p.mu.Lock()
	p.budget = max(n, 0)
	p.mu.Unlock()
}

// spend takes up to n bytes of the server's budget. It returns how many may
// be forwarded, and whether the budget is spent, so that the caller cuts.
func (p *Proxy) spend(n int) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.budget < 0 {
		return n, false
	}
	n = min(n, p.budget)
	p.budget -= n
	if p.budget > 0 {
		return n, false
	}
	p.budget = -1
	return n, true
}

// Inject sends b to every client as if the server had sent it, after what
// the server sent before and ahead of what it sends next. With NewFramed it
// lands between two frames; on a plain proxy, between two reads of the
// server's stream, which is a message boundary only on an idle connection.
func (p *Proxy) Inject(b []byte) {
	p.mu.Lock()
	links := p.snapshot()
	p.mu.Unlock()
	for _, l := range links {
		l.down.inject(b)
	}
}

// Freeze stops forwarding in both directions on every connection, current
// and new, until Restore. Connections stay open.
func (p *Proxy) Freeze() { p.setFrozen(true) }

// Restore ends a Cut or a Freeze: new connections are forwarded again, and
// frozen connections forward what they held and carry on.
func (p *Proxy) Restore() {
	p.mu.Lock()
	p.cut = false
	p.budget = -1
	p.mu.Unlock()
	p.setFrozen(false)
}

func (p *Proxy) setFrozen(frozen bool) {
	p.mu.Lock()
	p.frozen = frozen
	links := p.snapshot()
	p.mu.Unlock()
	for _, l := range links {
		l.up.setFrozen(frozen)
		l.down.setFrozen(frozen)
	}
}

// Close stops the proxy: it closes the listener and every connection and
// waits for its goroutines to end. Calling it again does nothing.
func (p *Proxy) Close() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	links := p.snapshot()
	p.mu.Unlock()
	p.ln.Close()
	for _, l := range links {
		l.close()
	}
	p.wg.Wait()
}

// snapshot lists the open links; p.mu must be held.
func (p *Proxy) snapshot() []*link {
	links := make([]*link, 0, len(p.links))
	for l := range p.links {
		links = append(links, l)
	}
	return links
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return // the listener was closed
		}
		p.mu.Lock()
		refuse := p.closed || p.cut || len(p.links) >= MaxConns
		p.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", p.target, dialTimeout)
		if err != nil {
			c.Close()
			continue
		}
		p.start(c, s)
	}
}

// start registers a link between client c and server s and starts its pumps,
// unless the proxy was cut or closed while the target was dialled.
func (p *Proxy) start(c, s net.Conn) {
	l := &link{p: p, client: c, server: s}
	l.up = newPump(l, c, s, nil)
	l.down = newPump(l, s, c, p.frames)
	l.down.fromServer = true
	p.mu.Lock()
	if p.closed || p.cut {
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	l.up.frozen, l.down.frozen = p.frozen, p.frozen
	p.links[l] = struct{}{}
	p.wg.Add(4)
	p.mu.Unlock()
	for _, pu := range []*pump{l.up, l.down} {
		go pu.read()
		go pu.write()
	}
}

// link is one proxied connection: the client's side, the server's side, and
// a pump for each direction.
type link struct {
	p              *Proxy
	client, server net.Conn
	up, down       *pump
	once           sync.Once
}

// close closes both sides and stops both pumps; it is safe to call from any
// goroutine, any number of times.
func (l *link) close() {
	l.once.Do(func() {
		l.client.Close()
		l.server.Close()
		l.up.stop()
		l.down.stop()
		l.p.mu.Lock()
		delete(l.p.links, l)
		l.p.mu.Unlock()
	})
}
