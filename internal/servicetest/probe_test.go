package servicetest

import (
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// listen serves each connection of a loopback listener with serve until t
// ends.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	conns := make(chan net.Conn, 16)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
			wg.Go(func() { serve(c) })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		for len(conns) > 0 {
			(<-conns).Close()
		}
		wg.Wait()
	})
	return ln.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// silent accepts and never answers, as a container still starting may.
func silent(c net.Conn) { _, _ = io.Copy(io.Discard, c) }

// greets reads what the client sends first (up to a line or 8 bytes) and
// answers with reply.
func greets(reply string) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		_, _ = c.Read(make([]byte, 64))
		_, _ = io.WriteString(c, reply)
	}
}

// speaksFirst writes reply as soon as the client connects, as NATS does.
func speaksFirst(reply string) func(net.Conn) {
	return func(c net.Conn) {
		defer c.Close()
		_, _ = io.WriteString(c, reply)
		_, _ = io.Copy(io.Discard, c)
	}
}

// connectionStart is the head of a RabbitMQ connection.start frame.
const connectionStart = "\x01\x00\x00\x00\x00\x01\xf4\x00\x0a\x00\x0a\x00\x09"

func TestProbe(t *testing.T) {
	answerTimeout = 300 * time.Millisecond
	t.Cleanup(func() { answerTimeout = 4 * time.Second })

	closed := closedPort(t)

	tests := []struct {
		name    string
		p       protocol
		scheme  string
		serve   func(net.Conn) // nil: nothing listens
		wantErr string         // "" : the server counts as there
	}{
		{"redis answers PONG", redisProtocol, "redis", greets("+PONG\r\n"), ""},
		{"redis wants a password", redisProtocol, "redis", greets("-NOAUTH Authentication required.\r\n"), ""},
		{"redis port closed", redisProtocol, "redis", nil, "unreachable"},
		{"redis port silent", redisProtocol, "redis", silent, "sent no reply to PING within 300ms"},
		{"redis port speaks HTTP", redisProtocol, "redis", greets("HTTP/1.1 400 Bad Request\r\n\r\n"), `does not speak Redis: its reply to PING is "HTTP/1.1 400 Bad Request"`},
		{"rediss port silent", redisProtocol, "rediss", silent, "TLS handshake failed"},
		{"amqp connection.start", amqpProtocol, "amqp", greets(connectionStart), ""},
		{"amqp port silent", amqpProtocol, "amqp", silent, "sent no connection.start in reply to the protocol header within 300ms"},
		{"amqp other version", amqpProtocol, "amqp", greets("AMQP\x00\x00\x09\x01\x00\x00\x00"), "another protocol version"},
		{"amqp port speaks Redis", amqpProtocol, "amqp", greets("-ERR unknown command\r\n"), "does not speak AMQP 0-9-1"},
		{"nats INFO", natsProtocol, "nats", speaksFirst("INFO {\"server_id\":\"x\"}\r\n"), ""},
		{"nats port silent", natsProtocol, "nats", silent, "sent no INFO line within 300ms"},
		{"nats port speaks Redis", natsProtocol, "nats", speaksFirst("+PONG\r\n"), `its first line is "+PONG"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := closed
			if tt.serve != nil {
				addr = listen(t, tt.serve)
			}
			start := time.Now()
			err := probeOnce(tt.p, &url.URL{Scheme: tt.scheme, Host: addr})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("probe = %v, want the server to count as there", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("probe = %v, want an error containing %q", err, tt.wantErr)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("probe took %v", d)
			}
		})
	}
}

// TestProbeOncePerURL: a silent port costs its timeout once per test binary.
func TestProbeOncePerURL(t *testing.T) {
	answerTimeout = 300 * time.Millisecond
	t.Cleanup(func() { answerTimeout = 4 * time.Second })
	var mu sync.Mutex
	accepted := 0
	addr := listen(t, func(c net.Conn) {
		mu.Lock()
		accepted++
		mu.Unlock()
		silent(c)
	})
	u := &url.URL{Scheme: "redis", Host: addr}
	first, second := probe(redisProtocol, u), probe(redisProtocol, u)
	if first == nil || first != second {
		t.Fatalf("probes = %v, %v; want the same error twice", first, second)
	}
	mu.Lock()
	defer mu.Unlock()
	if accepted != 1 {
		t.Errorf("the port was dialled %d times, want 1", accepted)
	}
}

// TestSkipMessage: a missing server's message names the variable and keeps
// the URL's password out.
func TestSkipMessage(t *testing.T) {
	addr := closedPort(t)
	t.Setenv("STREAMLL_REQUIRE_SERVICES", "")
	t.Setenv("RABBITMQ_URL", "amqp://audit:hunter2@"+addr+"/")
	var msg string
	ft := &fakeT{TB: t, skip: func(s string) { msg = s }}
	func() {
		defer func() { _ = recover() }()
		RabbitMQURL(ft)
	}()
	if !strings.Contains(msg, "RABBITMQ_URL server amqp://audit:xxxxx@"+addr+"/ unreachable") ||
		!strings.Contains(msg, "set RABBITMQ_URL") || strings.Contains(msg, "hunter2") {
		t.Errorf("skip message %q", msg)
	}
}

// fakeT records a Skip instead of ending the test.
type fakeT struct {
	testing.TB
	skip func(string)
}

func (f *fakeT) Helper() {}
func (f *fakeT) Skip(args ...any) {
	f.skip(args[0].(string))
	panic("skipped")
}
