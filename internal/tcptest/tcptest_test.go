package tcptest_test

import (
	"bufio"
	"net"
	"testing"

	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/internal/tcptest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Serve answers each connection with the test's function, and its cleanup
// stops a server whose connections are still open.
func TestServe(t *testing.T) {
	addr := tcptest.Serve(t, func(c net.Conn) {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err == nil {
			_, _ = c.Write([]byte("echo " + line))
		}
		_, _ = c.Read(make([]byte, 1)) // until the cleanup closes it
	})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("hi\n")); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || got != "echo hi\n" {
		t.Fatalf("read %q, %v", got, err)
	}
}
