package redissink

import (
	"context"
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

// dialer wraps next so that every connection it makes is tracked until
// closed, and reads and writes a plain socket with raw system calls (see
// package rawio: at moderate rates that spares the runtime's monitor thread
// a wake-up per round trip).
func (c *conns) dialer(next func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		nc, err := next(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		nc = rawio.Wrap(nc)
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
