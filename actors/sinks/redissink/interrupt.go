package redissink

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"time"

	"github.com/streamll/streamll-go/internal/rawio"
)

// conns tracks the connections of a client the sink dialed itself, so that
// a Write whose context is cancelled (Close gave up on it) or expires can
// interrupt the round trip in flight: go-redis follows a context's deadline
// but not its cancellation, and a frozen server would otherwise hold the
// writer until the socket's own timeout. Interrupting sets every tracked
// connection's deadline to now, so the blocked read returns at once and
// go-redis discards the connection.
type conns struct {
	mu  sync.Mutex
	set map[net.Conn]struct{}
}

func newConns() *conns { return &conns{set: map[net.Conn]struct{}{}} }

// keepAlive is go-redis's own TCP keep-alive for the connections it dials.
var keepAlive = net.KeepAliveConfig{Enable: true, Idle: 30 * time.Second, Interval: 5 * time.Second, Count: 3}

// dialer returns the sink's own dial function: a socket whose reads and
// writes are raw system calls (see package rawio: at moderate rates that
// spares the runtime's monitor thread a wake-up per round trip), under TLS
// when tlsConf is set (which names the server: the URL's host, unless the
// caller's TLS names another), tracked until closed. The connect and the
// handshake end with ctx, which go-redis's pool bounds by DialTimeout.
func (c *conns) dialer(tlsConf *tls.Config) func(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{KeepAliveConfig: keepAlive}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		nc = rawio.Wrap(nc)
		if tlsConf != nil {
			tc := tls.Client(nc, tlsConf)
			if err := tc.HandshakeContext(ctx); err != nil {
				nc.Close()
				return nil, err
			}
			nc = tc
		}
		c.mu.Lock()
		c.set[nc] = struct{}{}
		c.mu.Unlock()
		return &trackedConn{Conn: nc, owner: c}, nil
	}
}

// interrupt makes every blocked read or write of the tracked connections
// return now.
func (c *conns) interrupt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for nc := range c.set {
		_ = nc.SetDeadline(time.Unix(1, 0))
	}
}

type trackedConn struct {
	net.Conn
	owner *conns
	once  sync.Once
}

func (t *trackedConn) Close() error {
	t.once.Do(func() {
		t.owner.mu.Lock()
		delete(t.owner.set, t.Conn)
		t.owner.mu.Unlock()
	})
	return t.Conn.Close()
}
