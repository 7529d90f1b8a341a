package rabbitmqsink_test

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
)

// amqpProxy stands between a sink and the broker on 127.0.0.1, so that a
// test can do to the connection what a network or a broker would: inject a
// frame (connection.blocked), freeze all traffic, or cut every connection.
// It never touches the shared broker itself.
type amqpProxy struct {
	ln         net.Listener
	upstream   string
	acceptDone chan struct{}
	wg         sync.WaitGroup // the copying goroutines

	mu     sync.Mutex
	conns  []*proxiedConn
	frozen chan struct{} // non-nil while frozen; closed to thaw
	done   chan struct{} // closed when the proxy stops
}

// proxiedConn is one client connection and its upstream.
type proxiedConn struct {
	client, server net.Conn
	writeMu        sync.Mutex // whole frames go to the client one at a time
}

// startProxy proxies to the broker of brokerURL and returns the proxy with
// the URL that reaches the broker through it. It stops when t ends.
func startProxy(t testing.TB, brokerURL string) (*amqpProxy, string) {
	t.Helper()
	u, err := url.Parse(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5672")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &amqpProxy{ln: ln, upstream: upstream, acceptDone: make(chan struct{}), done: make(chan struct{})}
	go p.accept()
	t.Cleanup(p.stop)
	u.Host = ln.Addr().String()
	return p, u.String()
}

func (p *amqpProxy) accept() {
	defer close(p.acceptDone)
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.upstream)
		if err != nil {
			c.Close()
			continue
		}
		pc := &proxiedConn{client: c, server: s}
		p.mu.Lock()
		p.conns = append(p.conns, pc)
		p.mu.Unlock()
		p.wg.Go(func() { p.toServer(pc) })
		p.wg.Go(func() { p.toClient(pc) })
	}
}

// toServer copies the client's bytes upstream, holding them while frozen.
func (p *amqpProxy) toServer(pc *proxiedConn) {
	defer pc.server.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := pc.client.Read(buf)
		if n > 0 {
			if !p.thawed() {
				return
			}
			if _, werr := pc.server.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// toClient copies the broker's frames to the client whole, so that injected
// frames land between them, holding them while frozen.
func (p *amqpProxy) toClient(pc *proxiedConn) {
	defer pc.client.Close()
	r := bufio.NewReader(pc.server)
	for {
		var header [7]byte
		if _, err := io.ReadFull(r, header[:]); err != nil {
			return
		}
		size := binary.BigEndian.Uint32(header[3:])
		frame := make([]byte, 7+int(size)+1)
		copy(frame, header[:])
		if _, err := io.ReadFull(r, frame[7:]); err != nil {
			return
		}
		if !p.thawed() {
			return
		}
		pc.writeMu.Lock()
		_, err := pc.client.Write(frame)
		pc.writeMu.Unlock()
		if err != nil {
			return
		}
	}
}

// thawed waits while the proxy is frozen; it reports false once the proxy
// stops.
func (p *amqpProxy) thawed() bool {
	p.mu.Lock()
	frozen := p.frozen
	p.mu.Unlock()
	if frozen == nil {
		return true
	}
	select {
	case <-frozen:
		return true
	case <-p.done:
		return false
	}
}

// freeze stops all traffic, as a stalled network or broker would, until thaw.
func (p *amqpProxy) freeze() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen == nil {
		p.frozen = make(chan struct{})
	}
}

func (p *amqpProxy) thaw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.frozen != nil {
		close(p.frozen)
		p.frozen = nil
	}
}

// cut closes every proxied connection, as a network failure would.
func (p *amqpProxy) cut() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, pc := range conns {
		pc.client.Close()
		pc.server.Close()
	}
}

// inject sends frame to every client, between two of the broker's frames.
func (p *amqpProxy) inject(frame []byte) {
	p.mu.Lock()
	conns := append([]*proxiedConn(nil), p.conns...)
	p.mu.Unlock()
	for _, pc := range conns {
		pc.writeMu.Lock()
		_, _ = pc.client.Write(frame)
		pc.writeMu.Unlock()
	}
}

func (p *amqpProxy) stop() {
	p.ln.Close()
	<-p.acceptDone
	p.mu.Lock()
	close(p.done)
	p.mu.Unlock()
	p.cut()
	p.wg.Wait()
}

// connectionFrame is an AMQP method frame on channel 0 of the connection
// class (10): connection.blocked is method 60 with a reason, unblocked 61.
func connectionFrame(method uint16, args []byte) []byte {
	f := []byte{1, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0}
	binary.BigEndian.PutUint32(f[3:], uint32(4+len(args)))
	binary.BigEndian.PutUint16(f[9:], method)
	f = append(f, args...)
	return append(f, 0xCE)
}

func blockedFrame(reason string) []byte {
	return connectionFrame(60, append([]byte{byte(len(reason))}, reason...))
}

func unblockedFrame() []byte { return connectionFrame(61, nil) }
