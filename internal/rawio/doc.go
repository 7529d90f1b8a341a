// Package rawio makes a socket's reads and writes without waking the Go
// runtime's monitor thread.
//
// A goroutine that enters a system call through package syscall tells the
// scheduler so, and when every processor was idle that wakes sysmon, the
// runtime's monitor, which then polls every 20 µs while anything runs. A
// client that sleeps between millisecond round trips, as a sink does at the
// rates services run, pays that at every write and every read: on the
// 2-core VM of docs/benchmarks.md it was a quarter of the process's CPU.
//
// A socket the network poller manages is non-blocking, so its read and
// write return at once: Wrap makes them as raw system calls inside the
// connection's syscall.RawConn, which waits on the poller when the socket
// is not ready and honours the connection's deadlines, and never tells the
// scheduler about a call that cannot block. On other systems than Linux, and
// for connections that are not TCP or Unix sockets, Wrap returns the
// connection as it is.
package rawio
