package servicetest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// RedisServer is a redis-server process of a test's own on a free loopback
// port, for tests that stop and restart a server: the machine's shared Redis
// is never touched. It keeps nothing on disk.
type RedisServer struct {
	// Addr is the server's host:port on 127.0.0.1; it stays the same across
	// Stop and Start.
	Addr string

	// TLS, for a server StartRedisTLSServer started, holds the files it
	// serves TLS with; clients trust TLS.Roots. Nil for a plain server.
	TLS *TLSFiles

	path, dir string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// StartRedisServer starts a redis-server of t's own and stops it when t
// ends. It skips t, or fails it under STREAMLL_REQUIRE_SERVICES=1, when
// redis-server is not on PATH or does not start.
func StartRedisServer(t testing.TB) *RedisServer {
	t.Helper()
	return startRedisServer(t, nil, "start a Redis server of its own to stop and restart")
}

// StartRedisTLSServer starts a redis-server of t's own that serves TLS only,
// with a certificate of a CA of t's own (see NewTLSFiles) and no client
// certificate asked for, and stops it when t ends. It skips t, or fails it
// under STREAMLL_REQUIRE_SERVICES=1, as StartRedisServer does, and also when
// the redis-server was built without TLS.
func StartRedisTLSServer(t testing.TB) *RedisServer {
	t.Helper()
	return startRedisServer(t, NewTLSFiles(t), "start a Redis server of its own that serves TLS")
}

func startRedisServer(t testing.TB, files *TLSFiles, purpose string) *RedisServer {
	t.Helper()
	s := &RedisServer{path: Binary(t, "redis-server", purpose), dir: t.TempDir(), TLS: files}
	t.Cleanup(s.Stop)
	var err error
	for range 5 { // a port found free can be taken before redis-server binds it
		if s.Addr, err = freeLoopbackAddr(); err != nil {
			break
		}
		if err = s.Start(); err == nil {
			return s
		}
	}
	skipOrFail(t, "starting a redis-server of the test's own: "+err.Error())
	return nil
}

// URL returns the server's redis:// URL, or rediss:// for a TLS server.
func (s *RedisServer) URL() string { return s.url().String() }

func (s *RedisServer) url() *url.URL {
	scheme := "redis"
	if s.TLS != nil {
		scheme = "rediss"
	}
	return &url.URL{Scheme: scheme, Host: s.Addr}
}

// Start starts the server (again) on Addr and returns once it answers PING
// (over TLS for a TLS server),
// or after 10s with an error. It does not touch a testing.T, so a test may
// call it from a goroutine of its own.
func (s *RedisServer) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return errors.New("redis-server is already running")
	}
	_, port, _ := net.SplitHostPort(s.Addr)
	args := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--dir", s.dir, "--logfile", filepath.Join(s.dir, "redis.log"), "--daemonize", "no"}
	if s.TLS == nil {
		args = append(args, "--port", port)
	} else {
		args = append(args, "--port", "0", "--tls-port", port, "--tls-cert-file", s.TLS.CertFile,
			"--tls-key-file", s.TLS.KeyFile, "--tls-ca-cert-file", s.TLS.CAFile, "--tls-auth-clients", "no")
	}
	cmd := exec.Command(s.path, args...)
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	if err := awaitAnswer(redisProtocol, s.url(), done); err != nil {
		select {
		case <-done:
			s.cmd = nil
		default: // still running: Stop kills it
		}
		return fmt.Errorf("redis-server: %w (log in %s)", err, s.dir)
	}
	return nil
}

// Stop kills the server, as a crash would, and returns once it has exited.
// Stopping a stopped server does nothing.
func (s *RedisServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// freeLoopbackAddr returns 127.0.0.1 with a port that was free a moment
// ago, below the ephemeral range: while the server is down its clients keep
// dialling the port, and a dial to a free ephemeral port can connect to
// itself and hold the port the restart needs.
func freeLoopbackAddr() (string, error) {
	for range 50 {
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(16000+randIntn(4000)))
		if ln, err := net.Listen("tcp", addr); err == nil {
			ln.Close()
			return addr, nil
		}
	}
	return "", errors.New("no free port found in 16000-19999")
}
