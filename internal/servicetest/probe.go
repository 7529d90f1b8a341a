package servicetest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"
)

// How long a probe waits: to connect, then for the server's first answer. A
// port that accepts connections but never answers (a container still
// starting, something else listening) makes tests skip within these bounds
// instead of hanging in the first client call.
var (
	dialTimeout   = 2 * time.Second
	answerTimeout = 4 * time.Second
)

// A protocol says how to ask a server whether it speaks it.
type protocol struct {
	name        string // "Redis", for messages
	defaultPort string
	tlsSchemes  []string // schemes whose connection starts with TLS
	// answer names what a server says first, for messages.
	answer string
	// hello asks over conn and checks the answer; errNoAnswer when the
	// server said nothing in time.
	hello func(conn net.Conn) error
}

var (
	redisProtocol = protocol{name: "Redis", defaultPort: "6379", tlsSchemes: []string{"rediss"},
		answer: "reply to PING", hello: redisPing}
	amqpProtocol = protocol{name: "AMQP 0-9-1", defaultPort: "5672", tlsSchemes: []string{"amqps"},
		answer: "connection.start in reply to the protocol header", hello: amqpHeader}
	natsProtocol = protocol{name: "NATS", defaultPort: "4222", answer: "INFO line", hello: natsInfo}
)

// errNoAnswer marks a server that took the connection but said nothing in
// time.
var errNoAnswer = errors.New("no answer")

// probes remembers each probe's outcome for the life of the test binary, so
// that a silent port costs its timeout once per package, not once per test.
var probes sync.Map // "protocol url" -> *probeResult

type probeResult struct {
	once sync.Once
	err  error // nil: the server answered in its protocol
}

// probe reports why u does not answer in p's protocol, or nil when it does.
func probe(p protocol, u *url.URL) error {
	r, _ := probes.LoadOrStore(p.name+" "+u.String(), &probeResult{})
	res := r.(*probeResult)
	res.once.Do(func() { res.err = probeOnce(p, u) })
	return res.err
}

func probeOnce(p protocol, u *url.URL) error {
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), p.defaultPort)
	}
	conn, err := net.DialTimeout("tcp", host, dialTimeout)
	if err != nil {
		return fmt.Errorf("unreachable (%w)", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(answerTimeout)); err != nil {
		return err
	}
	for _, s := range p.tlsSchemes {
		if u.Scheme == s {
			// Only whether a server is there is in question, not who it is.
			c := tls.Client(conn, &tls.Config{ServerName: u.Hostname(), InsecureSkipVerify: true})
			if err := c.Handshake(); err != nil {
				return fmt.Errorf("accepted a connection but its TLS handshake failed within %v (%w)", answerTimeout, noAnswer(err))
			}
			conn = c
		}
	}
	err = p.hello(conn)
	switch {
	case errors.Is(err, errNoAnswer):
		return fmt.Errorf("accepted a connection but sent no %s within %v (still starting, or not speaking %s?)",
			p.answer, answerTimeout, p.name)
	case err != nil:
		return fmt.Errorf("does not speak %s: %w", p.name, err)
	}
	return nil
}

// noAnswer turns a read that ran out of time or met a closed connection
// into errNoAnswer.
func noAnswer(err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errNoAnswer
	}
	return err
}

// redisPing sends an inline PING. Any simple-string or error reply is a
// Redis: +PONG, or -NOAUTH from a server that wants the URL's credentials.
func redisPing(conn net.Conn) error {
	if _, err := io.WriteString(conn, "PING\r\n"); err != nil {
		return noAnswer(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return noAnswer(err)
	}
	if !strings.HasPrefix(line, "+") && !strings.HasPrefix(line, "-") {
		return fmt.Errorf("its reply to PING is %q", clip(line))
	}
	return nil
}

// amqpHeader sends the AMQP 0-9-1 protocol header; a broker answers with a
// connection.start method frame (type 1, channel 0, class 10, method 10).
func amqpHeader(conn net.Conn) error {
	if _, err := conn.Write([]byte("AMQP\x00\x00\x09\x01")); err != nil {
		return noAnswer(err)
	}
	var frame [11]byte // type, channel (2), size (4), class (2), method (2)
	if _, err := io.ReadFull(conn, frame[:]); err != nil {
		return noAnswer(err)
	}
	if bytes.HasPrefix(frame[:], []byte("AMQP")) {
		return fmt.Errorf("it proposes another protocol version, %q", frame[:8])
	}
	if frame[0] != 1 || frame[1] != 0 || frame[2] != 0 || !bytes.Equal(frame[7:11], []byte{0, 10, 0, 10}) {
		return fmt.Errorf("its first frame (% x) is not connection.start", frame[:])
	}
	return nil
}

// natsInfo waits for the INFO line a NATS server sends as soon as a client
// connects.
func natsInfo(conn net.Conn) error {
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return noAnswer(err)
	}
	if !strings.HasPrefix(line, "INFO ") {
		return fmt.Errorf("its first line is %q", clip(line))
	}
	return nil
}

func clip(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
