package netaddr_test

import (
	"net/url"
	"testing"

	"github.com/streamll/streamll-go/internal/netaddr"
)

func TestCheckPort(t *testing.T) {
	for raw, ok := range map[string]bool{
		"redis://127.0.0.1:6379": true, "redis://127.0.0.1": true, "amqp://[::1]:1/": true, "amqp://h:65535/": true,
		"redis://127.0.0.1:99999/0": false, "amqp://h:0/": false, "amqp://h:65536/": false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := netaddr.CheckPort(u); (err == nil) != ok {
			t.Errorf("CheckPort(%s) = %v, want ok=%v", raw, err, ok)
		}
	}
}
