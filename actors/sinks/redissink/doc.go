// Package redissink writes events to Redis Streams, for live dashboards and
// consumers that read with XREAD or consumer groups.
//
// Each event becomes one stream entry with one field, "event" by default,
// holding its wire-format JSON (see package events):
//
//	XADD <stream key> [MAXLEN ~ n] * event <json>
//
// A batch is sent as one pipeline (not a MULTI transaction) of one XADD per
// event, in one round trip.
//
//	s, err := redissink.New(redissink.Config{
//		URL:       os.Getenv("REDIS_URL"),
//		StreamKey: "ai_platform_events",
//		MaxLen:    100_000,
//	})
//
// # Connecting
//
// Config.URL takes redis://[user[:password]@]host[:port][/db] (default
// redis://localhost:6379), rediss:// for TLS, or unix:///path?db=N, with
// go-redis's query options such as ?dial_timeout=3s. A rediss:// server is
// verified against the system's roots; Config.TLS gives it a private CA, a
// client certificate or another server name. With Config.Cluster the
// URL is a seed of a Redis Cluster, more seeds given as &addr=host:port, so a
// REDIS_CLUSTER_URL can be used as it is. New only parses: it never connects,
// so it does not block and the server need not be up; the first Write dials.
// Configuration errors wrap sinks.ErrInvalidConfig and show the URL redacted,
// never its password.
//
// The sink's own client neither retries commands nor re-dials: the host
// retries a failed batch with backoff, behind its circuit breaker, and
// retrying below it would multiply timeouts and could send a half-delivered
// pipeline twice. It also honours the Write's context for socket deadlines.
// On Linux it reads and writes its TCP or Unix socket, under TLS too, with
// raw system calls through the network poller, so that a round trip after an idle
// moment does not wake the Go runtime's monitor thread, which at moderate
// rates cost a quarter of the process's CPU (docs/benchmarks.md). Close
// closes this client.
//
// Config.Client takes any redis.UniversalClient instead (single node,
// Sentinel failover, Ring or Cluster). The caller owns it: the sink never
// closes it, and the caller closes it after the sink's Close. Its
// connections are go-redis's own, without the raw socket I/O above. Give it
// ContextTimeoutEnabled, so that a Write returns when its context ends, and
// preferably MaxRetries -1, since go-redis retries a whole pipeline when it
// retries one (a retried pipeline can append events twice; consumers
// de-duplicate on event_id).
//
// # go-redis's own log lines
//
// go-redis logs some failures itself ("redis: connection pool: failed to
// dial after 5 attempts: ..."), to standard error, through one logger for the
// whole process. The sink leaves that global alone; a program that wants
// those lines in its slog logger, or silenced, says so once with
// SetClientLogger(logger) or SetClientLogger(nil).
//
// # Stream keys
//
// Config.StreamKey (default "streamll_events") may be a template that names a
// stream per event: {event_type}, {operation}, {module_name}, {method_name}
// and {tag:NAME} are replaced by the event's values, for example
// "events:{tag:customer_id}" for one stream per customer. A placeholder whose
// value is empty becomes "unknown" (so untagged events land in
// "events:unknown"), "{{" and "}}" stand for literal braces, as a Redis
// Cluster hash tag needs ("{{events}}:{tag:customer_id}" keeps every stream on
// one slot), and an unknown placeholder is a configuration error reported by
// New. Rendered keys are cached, up to 4096 of them.
//
// Order is kept per stream: the entries of one stream are in emission order.
// A template spreads a batch over several streams, which Redis (and on a
// cluster, several nodes) appends independently; the entry IDs of different
// streams say nothing about the order of their events, so a consumer that
// merges streams orders by timestamp.
//
// # Errors and partial failures
//
// Write returns nil when every event got an entry ID. Otherwise:
//
//   - When the round trip fails as a whole (connection refused or reset,
//     timeout, cancelled context) and no event got an entry, it returns one
//     error for the batch, which the host retries whole.
//   - When Redis answers some XADDs with an error, or the connection breaks
//     after some replies arrived, it returns a *sinks.BatchError listing
//     exactly the events that got no entry ID. The others count as delivered
//     and are never sent again; the listed ones are retried or dropped by the
//     host according to their errors. An XADD whose entry ID arrived is
//     delivered even though go-redis marks every command of a broken pipeline
//     with the network error.
//   - Errors that retrying cannot cure are marked sinks.Permanent: the error
//     replies WRONGTYPE (the key holds another type), NOPERM, NOAUTH,
//     WRONGPASS, "ERR ... exceeds maximum allowed size", unknown commands and
//     any other reply not listed below, and a caller's client that was
//     closed. The retryable replies are LOADING, BUSY, TRYAGAIN, CLUSTERDOWN,
//     MASTERDOWN, READONLY, NOREPLICAS, MOVED, ASK, OOM (consumers trimming
//     or eviction free memory), MISCONF and "ERR max number of clients
//     reached"; every transport error is retryable.
//
// A failed authentication (NOAUTH, WRONGPASS) is reported for the whole batch,
// marked permanent: the same credentials will not start working, and the
// error says so at once instead of after a retry schedule.
//
// # Compatibility with the Python streamll
//
// The seed's consumers read fields[b'event'], as the first Python RedisSink
// wrote. The last Python release wrote the field "message" instead; set
// Config.Field to "message" for consumers written against it. Both trim with
// MAXLEN ~ as Config.MaxLen does (the Python default was 10000; here trimming
// is off unless asked for).
package redissink
