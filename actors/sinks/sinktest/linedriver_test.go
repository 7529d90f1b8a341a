package sinktest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/tcptest"
)

// lineFaults are the faults of the network driver: a sink that writes each
// event as a line of JSON to a TCP server, which answers each with "ok".
var lineFaults = map[string]bool{
	"none-network":         true,
	"claims-cut-delivered": true, // a Write whose connection fails returns nil
	"permanent-on-cut":     true, // ... marks its error permanent
	"ignores-deadline":     true, // waits for its answers whatever the context says
	"counts-from-one":      true, // numbers a BatchError's events from 1, not from 0
}

// runLineDriver runs the suite, fault cases included, against the network
// driver with fault.
func runLineDriver(t *testing.T, fault string, timeout time.Duration) {
	var servers sinktest.Destinations[*lineServer]
	build := func(t *testing.T, via *sinktest.Proxy) sinks.Sink {
		srv := newLineServer(t)
		return servers.Add(&lineSink{addr: via.Addr(srv.addr), fault: fault}, srv)
	}
	sinktest.Run(t, sinktest.Harness{
		New:     func(t *testing.T) sinks.Sink { return build(t, nil) },
		Proxied: build,
		Received: func(ctx context.Context, t *testing.T, s sinks.Sink, want int) []events.Event {
			srv := servers.Of(s)
			return sinktest.Await(ctx, want, srv.events, srv.changed)
		},
		Features: sinktest.Features{Timeout: timeout},
	})
}

// lineServer stores each line it reads as an event and answers "ok".
type lineServer struct {
	addr    string
	mu      sync.Mutex
	got     []events.Event
	changed chan struct{}
}

func newLineServer(t *testing.T) *lineServer {
	s := &lineServer{changed: make(chan struct{}, 1)}
	s.addr = tcptest.Serve(t, s.serve)
	return s
}

func (s *lineServer) serve(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil {
			return
		}
		ev, err := events.Unmarshal(line)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.got = append(s.got, ev)
		s.mu.Unlock()
		select {
		case s.changed <- struct{}{}:
		default:
		}
		if _, err := c.Write([]byte("ok\n")); err != nil {
			return
		}
	}
}

func (s *lineServer) events() []events.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]events.Event(nil), s.got...)
}

// lineSink is a small network driver, written by the rules, with one
// fault.
type lineSink struct {
	addr  string
	fault string
	buf   []byte

	// mu guards the connection and closed: the suite closes a driver whose
	// Write it gave up on (ignores-deadline never returns in time) while
	// that Write still runs.
	mu     sync.Mutex
	conn   net.Conn
	r      *bufio.Reader
	closed bool
}

func (s *lineSink) Write(ctx context.Context, batch []*events.Event) error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return sinks.ErrClosed
	}
	if len(batch) == 0 {
		return nil
	}
	err := s.write(ctx, batch)
	var be *sinks.BatchError
	switch {
	case err == nil:
		return nil
	case s.fault == "claims-cut-delivered":
		return nil
	case s.fault == "permanent-on-cut":
		return sinks.Permanent(err)
	case s.fault == "counts-from-one" && errors.As(err, &be):
		for i := range be.Failed {
			be.Failed[i].Index++
		}
	}
	return err
}

// write sends batch and reads an answer per event. When the answers stop
// part way, the events not answered are listed in a BatchError.
func (s *lineSink) write(ctx context.Context, batch []*events.Event) error {
	c, r, err := s.connection(ctx)
	if err != nil {
		return err
	}
	if s.fault != "ignores-deadline" {
		if d, ok := ctx.Deadline(); ok {
			_ = c.SetDeadline(d)
		}
		stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	s.buf = s.buf[:0]
	for _, ev := range batch {
		s.buf = append(events.AppendJSON(s.buf, ev), '\n')
	}
	if _, err := c.Write(s.buf); err != nil {
		s.drop(c)
		return fmt.Errorf("linesink: %w", err)
	}
	for i := range batch {
		if _, err := r.ReadString('\n'); err != nil {
			s.drop(c)
			if i == 0 {
				return fmt.Errorf("linesink: %w", err)
			}
			failed := make([]sinks.Failure, 0, len(batch)-i)
			for k := i; k < len(batch); k++ {
				failed = append(failed, sinks.Failure{Index: k, Err: fmt.Errorf("linesink: no answer: %w", err)})
			}
			return &sinks.BatchError{Failed: failed}
		}
	}
	return nil
}

// connection returns the open connection, dialing one if there is none.
func (s *lineSink) connection(ctx context.Context) (net.Conn, *bufio.Reader, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn == nil {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
		if err != nil {
			return nil, nil, fmt.Errorf("linesink: %w", err)
		}
		s.conn, s.r = c, bufio.NewReader(c)
	}
	return s.conn, s.r, nil
}

// drop closes c and forgets it, unless Close already has.
func (s *lineSink) drop(c net.Conn) {
	s.mu.Lock()
	if s.conn == c {
		s.conn, s.r = nil, nil
	}
	s.mu.Unlock()
	c.Close()
}

func (s *lineSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
		s.conn, s.r = nil, nil
	}
	return nil
}
