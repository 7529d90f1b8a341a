// Package faultproxy is a TCP proxy for fault tests: a test puts it between a
// client and a real server on the loopback interface, then cuts or freezes
// the connection at will instead of stopping a server that other tests share.
//
// [Proxy.Cut] closes every connection and makes new ones fail at once, as a
// crashed server or a reset does: clients see EOF or "connection reset".
// [Proxy.Freeze] keeps connections open but forwards nothing in either
// direction, as a network partition or a hung server does: clients see
// timeouts. [Proxy.Restore] ends either fault. Bytes held during a freeze are
// forwarded on Restore if their sender's connection is still open; a
// connection whose sender closes it during a freeze is dropped with what it
// held, so that a request a client gave up on is never delivered late.
//
// The proxy listens on 127.0.0.1 only and forwards only to loopback targets.
// It bounds its connections and the bytes it holds, owns all its goroutines,
// and stops them in Close, which the test's cleanup also calls. Start makes
// one outside a test, for the bench command's -outage and -blackhole.
package faultproxy
