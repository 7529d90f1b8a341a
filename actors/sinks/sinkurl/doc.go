// Package sinkurl builds sinks from a string, so that a twelve-factor
// service picks its sinks in its environment, without code:
//
//	STREAMLL_SINKS='terminal,redis://redis:6379/0?stream=ai_events,amqp://app:secret@rabbit:5672/?exchange=audit&routing_key=loan.{operation}.{event_type}'
//
//	list, err := sinkurl.FromEnv(sinkurl.EnvVar, "terminal")
//	if err != nil {
//		log.Fatal(err) // names the variable, the item and every problem
//	}
//	b, err := bus.New(bus.Config{Sinks: list})
//
// # The list
//
// A list is sink specs separated by commas; spaces around an item are
// ignored, an empty item is an error, and the word "none" alone is a list of
// no sinks. A spec is "terminal" or a URL whose scheme picks the driver:
//
//	terminal                                    terminal.Sink
//	redis://, rediss://                         redissink.Sink on one server (rediss: TLS)
//	redis+cluster://, rediss+cluster://         redissink.Sink on a Redis Cluster (Config.Cluster)
//	redis+unix:///path/to/redis.sock            redissink.Sink over a unix socket
//	amqp://, amqps://                           rabbitmqsink.Sink
//	nats://, nats+tls://                        natssink.Sink (nats+tls: TLS, dialled as tls://)
//	otlp+http://, otlp+https://                 otelsink.Sink: OpenTelemetry spans over OTLP/HTTP
//
// Settings follow a '?' as name=value pairs joined by '&', as in a URL
// query. Because commas separate the sinks and the query has its own syntax,
// a value must percent-encode these characters: ',' as %2C, '&' as %26,
// '#' as %23 (a bare '#' would start a URL fragment), '+' as %2B (a bare '+'
// reads as a space) and '%' as %25. The braces of a template may be written
// as they are or as %7B and %7D. A setting that takes a list separates its
// entries with '|' (ListSep), as in types=error|end. Passwords in URLs are
// percent-encoded as in any URL.
//
// Values: whole numbers in decimal; durations in Go's syntax with a unit
// (500ms, 30s, 1m30s); booleans as true, false, 1, 0, yes, no, on or off, and
// a name given without a value (?transient) means true. Counts, sizes and
// durations must be positive unless the table says otherwise.
//
// # Settings of every sink
//
// These configure the host that runs the sink (sinks.Options); an omitted
// setting keeps its default.
//
//	name               Options.Name                       default: the sink's own name (terminal,
//	                                                      redis:<stream>, rabbitmq:<exchange>,
//	                                                      nats:<stream>)
//	                                                      otlp:<host/path>)
//	types              Options.Filter = sinks.Types(...)  default: every event; e.g. types=error|end
//	buffer             Options.BufferSize                 default 10000
//	batch              Options.BatchSize                  default 256; 1000 for Redis, the
//	                                                      window for RabbitMQ and NATS
//	overflow           Options.Overflow                   drop_oldest (default) or drop_newest
//	write_timeout      Options.WriteTimeout               default 1s; bounds each write, its
//	                                                      round trip, confirms or acks included
//	max_retries        Options.Retry.MaxRetries           default 0: no limit (0 allowed)
//	max_elapsed        Options.Retry.MaxElapsed           default: no limit
//	breaker            !Options.Breaker.Disabled          default true; breaker=off disables it
//	failure_threshold  Options.Breaker.FailureThreshold   default 5
//	recovery_timeout   Options.Breaker.RecoveryTimeout    default 5s
//
// Retry intervals and the supervision policy keep their defaults; set them in
// code (redissink.Config and the others embed sinks.Options) when needed.
//
// # terminal
//
//	color     Config.Color        auto (default: colour on a terminal unless NO_COLOR),
//	                              always or never
//	tokens    !Config.HideTokens  default true; tokens=false leaves token events out
//	data      !Config.HideData    default true; data=false leaves data out
//	max_data  Config.MaxDataLen   default 200 characters; -1 for no limit
//	output    Config.Output       stdout (default) or stderr
//
// Example: terminal?color=never&tokens=false&max_data=120
//
// # Redis
//
//	stream   Config.StreamKey  default streamll_events; may be a template such as
//	                           events:{tag:customer_id}
//	field    Config.Field      default event; message for consumers of the last Python streamll
//	maxlen   Config.MaxLen     default 0: no trimming (0 allowed)
//
// Any other setting is a go-redis client option (db, client_name, protocol,
// dial_timeout, read_timeout, pool_size, addr for more cluster seeds, skip_verify
// for rediss, ...): each is checked by go-redis and passed to it in the URL,
// so a misspelt one is reported as an unknown parameter. Two go-redis options
// are shadowed by the settings of every sink: max_retries and write_timeout
// here always mean the host's; the sink's own client never retries (see
// package redissink for why). Note that go-redis's min_idle_conns makes the
// client open connections as soon as it is created.
//
// Example: redis://:pass@redis:6379/0?stream=ai_platform_events&maxlen=100000&failure_threshold=5&recovery_timeout=30s
//
// # RabbitMQ
//
//	exchange              Config.Exchange           default streamll; amq.default publishes to the
//	                                                default exchange (routing key = queue name)
//	exchange_kind         Config.ExchangeKind       default topic
//	routing_key           Config.RoutingKey         default streamll.{event_type}
//	transient             Config.Transient          default false (durable, persistent)
//	mandatory             Config.Mandatory          default false
//	no_declare            Config.NoDeclare          default false
//	no_confirms           Config.NoConfirms         default false (publisher confirms on)
//	confirm_window        Config.ConfirmWindow      default 1000
//	max_message_bytes     Config.MaxMessageBytes    default 16 MiB
//	dial_timeout          Config.DialTimeout        default 3s
//	connection_name       Config.ConnectionName     default streamll-go
//	queue                 Config.Queue.Name         default: no queue declared
//	binding_key           Config.Queue.BindingKey   default # on a topic exchange (needs queue)
//	dead_letter_exchange  Config.Queue.DeadLetterExchange  default none (needs queue)
//	queue_max_length      Config.Queue.MaxLength    default: unbounded (needs queue)
//	addr                  Config.URLs               another node of the cluster, host:port; repeat
//	                                                it for more (same scheme, credentials, vhost)
//
// amqp091-go's own URL options pass through: heartbeat, connection_timeout,
// channel_max, auth_mechanism, certfile, keyfile, cacertfile and
// server_name_indication. Any other name is an unknown parameter (amqp091-go
// would silently ignore it). max_retries is the seed's max_retries: the host's
// retry limit.
//
// Example: amqp://app:pass@rabbit:5672/?exchange=financial_ai_audit&routing_key=loan.{operation}.{event_type}&max_retries=5
//
// # NATS JetStream
//
//	stream           Config.Stream          default streamll; must exist unless create is set
//	subject          Config.Subject         default streamll.{event_type}
//	window           Config.Window          default 1000 acks outstanding
//	dial_timeout     Config.DialTimeout     default 3s
//	reconnect_wait   Config.ReconnectWait   default 250ms
//	ping_interval    Config.PingInterval    default 5s
//	no_randomize     Config.NoRandomize     default false (servers tried in random order)
//	connection_name  Config.ConnectionName  default streamll-go
//	creds            Config.CredsFile       a .creds file (JWT and NKey seed); default none
//	tls_ca           Config.CAFile          default: the system's roots
//	tls_cert         Config.CertFile        a client certificate (with tls_key); default none
//	tls_key          Config.KeyFile         its key; default none
//	addr             Config.URLs            another server, host:port; repeat it for more (same
//	                                        scheme and credentials)
//	create           Config.CreateStream    default false: the stream must exist; true creates it
//	                                        when missing, with the settings below
//	replicas         CreateStream.Replicas  default 1 (needs create)
//	storage          CreateStream.Storage   file (default) or memory (needs create)
//	max_age          CreateStream.MaxAge    default: no limit (needs create)
//	max_bytes        CreateStream.MaxBytes  default: no limit (needs create)
//	max_msgs         CreateStream.MaxMsgs   default: no limit (needs create)
//	duplicates       CreateStream.Duplicates  the dedup window; default 2m (needs create)
//	stream_subjects  CreateStream.Subjects  default: the subject template with '*' for each
//	                                        token that holds a placeholder; e.g. ai.>|audit.>
//
// Credentials go in the URL: nats://user:password@host:4222, or
// nats://token@host:4222 (a token is masked in errors like a password).
//
// Example: nats://n1:4222?addr=n2:4222&addr=n3:4222&stream=ai_events&subject=ai.{module_name}.{event_type}&create&replicas=3
//
// # OpenTelemetry (OTLP/HTTP)
//
// The URL after "otlp+" is the receiver's base URL, as
// OTEL_EXPORTER_OTLP_ENDPOINT gives it (/v1/traces is appended unless the
// path ends in it); a user name and password in it are sent as HTTP Basic
// authentication, as Langfuse takes its public and secret keys.
//
//	service           Config.ServiceName      default unknown_service:<program>
//	header            Config.Headers          NAME:VALUE, repeat it for more; the values are
//	                                          masked in every error, as passwords are
//	gzip              Config.Gzip             default false
//	incomplete_after  Config.IncompleteAfter  default 10m
//	max_open          Config.MaxOpen          default 10000
//	token_events      Config.TokenEvents      default false
//	max_span_events   Config.MaxSpanEvents    default 128; -1 keeps none
//
// Examples: otlp+http://localhost:4318?service=chatbot,
// otlp+https://pk-lf-...:sk-lf-...@cloud.langfuse.com/api/public/otel,
// otlp+https://api.smith.langchain.com/otel?header=x-api-key:lsv2_...&header=Langsmith-Project:demo
//
// # Errors
//
// Parse and FromEnv check every item and report every problem in one error:
// errors.Join of one error per problem, each on its own line and starting
// with the variable's name (or "sinkurl" for Parse) and the item's number and
// text, such as
//
//	STREAMLL_SINKS: item 2 (redis://app:xxxxx@host/0?strem=x): unknown parameter "strem" (neither a sinkurl parameter nor a go-redis client option)
//
// Each wraps sinks.ErrInvalidConfig. Unknown schemes and parameters, a
// parameter given twice, malformed numbers, durations, booleans and lists,
// and the drivers' own configuration errors (such as an unknown routing-key
// placeholder) are all reported. No error contains a password: an item is
// shown with url.URL.Redacted (and an OTLP item with its header values
// masked), and an item that cannot be parsed as a URL but holds an '@' is
// shown by its scheme only.
//
// # The same URL in a driver's Config
//
// A driver's Config.URL (otelsink's Config.Endpoint) takes the server's URL
// and its client library's options (go-redis's pool_size, amqp091-go's
// heartbeat), as a sink URL does; the settings this package reads are
// fields of the Config there, and a Config.URL that holds one is refused at
// New with an error that names the field to set instead:
//
//	redissink.New(redissink.Config{URL: "redis://localhost:6379?stream=ai_events"})
//	// sinks: invalid configuration: redissink: URL redis://localhost:6379?stream=ai_events:
//	// setting "stream" belongs to sink URLs (package sinkurl), not to Config.URL: set Config.StreamKey instead
//
// So each setting has one place in code (its field) and one in a string
// (its parameter here), and neither is silently ignored.
//
// # What the list cannot say
//
// The sinks are built with only what the string says (they log through the
// bus's logger, as every driver does unless its Config has a Logger): no
// caller-owned Redis client or NATS connection,
// no tls.Config, no custom filter beyond event types, no retry intervals or
// supervision policy. Build those sinks in code and append them to the list. There is no memory sink: its events are read
// through the *memory.Sink, which only code that built it holds.
//
// Parse opens no connection (but see Parse about host-name lookups), and it
// returns no sink unless every item is valid: on error, the sinks already
// built are closed.
package sinkurl
