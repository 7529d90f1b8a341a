package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// reader is one backend's way of reading back what a sink wrote.
type reader interface {
	// poll waits up to wait for messages and passes each body to fn,
	// returning how many it read.
	poll(ctx context.Context, wait time.Duration, fn func(body []byte)) (int, error)
	// pending reports whether the server still holds messages not yet read.
	pending(ctx context.Context) (bool, error)
	// close releases the reader's connection.
	close() error
}

// consumer reads a sink's output back, live or after the run, into a tally.
type consumer struct {
	r    reader
	t    *tally
	live bool

	stop chan struct{}
	done chan error
	once sync.Once
}

// drainIdle is how long a drain waits for more messages once the server
// says it holds none, for those already on the wire.
const drainIdle = 300 * time.Millisecond

func newConsumer(r reader, live bool) *consumer {
	return &consumer{r: r, t: newTally(live), live: live, stop: make(chan struct{}), done: make(chan error, 1)}
}

// start begins reading in the background when the consumer is live.
func (c *consumer) start(ctx context.Context) {
	if !c.live {
		close(c.done)
		return
	}
	go func() {
		defer close(c.done)
		for {
			select {
			case <-c.stop:
				return
			default:
			}
			if _, err := c.r.poll(ctx, 100*time.Millisecond, c.add); err != nil {
				c.done <- err
				return
			}
		}
	}()
}

func (c *consumer) add(body []byte) { c.t.add(body, time.Now()) }

// finish stops live reading and reads everything the server still holds,
// until it holds nothing and nothing more arrives, or ctx ends.
func (c *consumer) finish(ctx context.Context) error {
	c.once.Do(func() { close(c.stop) })
	if err := <-c.done; err != nil {
		return err
	}
	for {
		n, err := c.r.poll(ctx, drainIdle, c.add)
		if err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		more, err := c.r.pending(ctx)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("consumer: %w with messages left on the server", ctx.Err())
		}
	}
}

// errNoServer wraps failures to reach a service at setup.
var errNoServer = errors.New("service unreachable")
