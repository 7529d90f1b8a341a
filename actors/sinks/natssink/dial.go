package natssink

import (
	"net"

	"github.com/streamll/streamll-go/internal/rawio"
)

// rawDialer dials the sink's own connections: a TCP socket whose reads and
// writes are raw system calls (package rawio), so that a publish after an
// idle moment does not wake the Go runtime's monitor thread, which at
// moderate rates costs more CPU than the publishing itself
// (docs/benchmarks.md). nats.go runs TLS and the websocket handshake over
// it as over any connection.
type rawDialer struct{ net.Dialer }

// Dial connects to address and wraps the socket.
func (d *rawDialer) Dial(network, address string) (net.Conn, error) {
	nc, err := d.Dialer.Dial(network, address)
	if err != nil {
		return nil, err
	}
	return rawio.Wrap(nc), nil
}
