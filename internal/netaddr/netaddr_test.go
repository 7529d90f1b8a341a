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

func TestPlace(t *testing.T) {
	for _, tt := range []struct {
		raw  []string
		want string
	}{
		{[]string{"redis://:secret@localhost:6379/0?pool_size=4"}, "redis://localhost:6379/0"},
		{[]string{"amqp://u:p@b:5672/vhost,amqp://u:p@a:5672/vhost"}, "amqp://a:5672/vhost,amqp://b:5672/vhost"},
		{[]string{"nats://a:4222", "nats://token@a:4222"}, "nats://a:4222"},
		{[]string{"unix:///run/redis.sock?db=2"}, "unix:///run/redis.sock"},
		{nil, ""},
	} {
		if got := netaddr.Place(tt.raw...); got != tt.want {
			t.Errorf("Place(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}
