package rabbitmqsink

import (
	"net"
	"sync"
)

// corkLimit is how many bytes a corked connection gathers before writing.
const corkLimit = 64 << 10

// corkedConn gathers what amqp091-go writes while a Write publishes its
// batch, which it would otherwise send one message per system call, and
// writes it in large chunks: less work for the client and for the broker,
// which reads fewer, fuller segments. Uncorked, it writes straight through,
// so heartbeats and RPCs between Writes are never held back.
type corkedConn struct {
	net.Conn
	mu     sync.Mutex
	corked bool
	buf    []byte
}

func (c *corkedConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.corked {
		return c.Conn.Write(p)
	}
	if len(c.buf)+len(p) > corkLimit {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	if len(p) >= corkLimit {
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	return len(p), nil
}

// cork starts gathering writes.
func (c *corkedConn) cork() {
	c.mu.Lock()
	c.corked = true
	c.mu.Unlock()
}

// flush writes what was gathered; with stop it also stops gathering. An
// error means bytes amqp091-go believes written are lost: the caller must
// close the connection.
func (c *corkedConn) flush(stop bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stop {
		c.corked = false
	}
	return c.flushLocked()
}

func (c *corkedConn) flushLocked() error {
	if len(c.buf) == 0 {
		return nil
	}
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	return err
}
