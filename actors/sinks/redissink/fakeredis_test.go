package redissink

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/internal/tcptest"
)

// fakeRedis speaks just enough RESP to script the server's side of a
// pipeline: it answers the connection's setup commands, then answers the n-th
// XADD (counted from 0) with reply(n). A reply of "" hangs up instead: the
// server stops writing (FIN) after the replies sent so far, as a connection
// that breaks part way through a pipeline does, and the client then reads
// those replies followed by EOF. It lets tests see what go-redis makes of
// error replies and broken pipelines that a real server cannot be asked for
// on demand (LOADING, BUSY, a connection dying after k replies).
type fakeRedis struct {
	addr  string
	reply func(n int) string
}

func newFakeRedis(t *testing.T, reply func(n int) string) *fakeRedis {
	t.Helper()
	f := &fakeRedis{reply: reply}
	f.addr = tcptest.Serve(t, f.serve)
	return f
}

// client returns a client of the fake server that, like the sink's own
// clients, does not retry.
func (f *fakeRedis) client(t *testing.T) *redis.Client {
	c := redis.NewClient(&redis.Options{
		Addr:                  f.addr,
		MaxRetries:            -1,
		DisableIdentity:       true,
		ContextTimeoutEnabled: true,
	})
	t.Cleanup(func() { c.Close() })
	return c
}

func (f *fakeRedis) serve(c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	xadds := 0
	for {
		args, err := readCommand(r)
		if err != nil {
			return
		}
		var reply string
		switch strings.ToLower(args[0]) {
		case "hello":
			reply = "-ERR unknown command 'HELLO'\r\n" // stay on RESP2
		case "xadd":
			reply = f.reply(xadds)
			xadds++
		default:
			reply = "+OK\r\n"
		}
		if reply == "" {
			_ = w.Flush()
			_ = c.(*net.TCPConn).CloseWrite()
			_, _ = io.Copy(io.Discard, r) // until the client closes
			return
		}
		_, _ = w.WriteString(reply)
		if r.Buffered() == 0 {
			if w.Flush() != nil {
				return
			}
		}
	}
}

// readCommand reads one RESP array of bulk strings.
func readCommand(r *bufio.Reader) ([]string, error) {
	n, err := readLen(r, '*')
	if err != nil {
		return nil, err
	}
	args := make([]string, n)
	for i := range args {
		size, err := readLen(r, '$')
		if err != nil {
			return nil, err
		}
		buf := make([]byte, size+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		args[i] = string(buf[:size])
	}
	if n == 0 {
		return nil, fmt.Errorf("empty command")
	}
	return args, nil
}

func readLen(r *bufio.Reader, prefix byte) (int, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if len(line) < 3 || line[0] != prefix {
		return 0, fmt.Errorf("unexpected line %q", line)
	}
	return strconv.Atoi(strings.TrimSpace(line[1:]))
}

// bulk returns the RESP reply carrying an entry ID, as XADD answers.
func bulk(s string) string { return fmt.Sprintf("$%d\r\n%s\r\n", len(s), s) }
