// Package urlparams names the settings a sink URL (package sinkurl) reads,
// scheme by scheme, and the Config field each sets, so that there is one
// URL grammar: a driver given such a setting in its Config.URL (or
// Config.Endpoint) refuses it with an error that names the field to set
// instead, rather than fail with its client library's "unexpected option"
// or, worse, ignore it. The client libraries' own URL options (go-redis's
// pool_size, amqp091-go's heartbeat, ...) are not listed: both forms pass
// them through. sinkurl's tests check that these tables hold exactly the
// settings it reads.
package urlparams

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Table maps a sink-URL setting to the Config field it sets, such as
// "stream" to "StreamKey".
type Table map[string]string

// Host are the settings of every sink: the host options (sinks.Options).
var Host = Table{
	"name":              "Options.Name",
	"types":             "Options.Filter (sinks.Types)",
	"buffer":            "Options.BufferSize",
	"batch":             "Options.BatchSize",
	"overflow":          "Options.Overflow",
	"write_timeout":     "Options.WriteTimeout",
	"max_retries":       "Options.Retry.MaxRetries",
	"max_elapsed":       "Options.Retry.MaxElapsed",
	"breaker":           "Options.Breaker.Disabled",
	"failure_threshold": "Options.Breaker.FailureThreshold",
	"recovery_timeout":  "Options.Breaker.RecoveryTimeout",
}

// Redis are the settings of redis://, rediss:// and their +cluster and
// +unix forms (redissink.Config).
var Redis = with(Table{
	"stream": "StreamKey",
	"field":  "Field",
	"maxlen": "MaxLen",
})

// AMQP are the settings of amqp:// and amqps:// (rabbitmqsink.Config).
var AMQP = with(Table{
	"exchange":             "Exchange",
	"exchange_kind":        "ExchangeKind",
	"routing_key":          "RoutingKey",
	"transient":            "Transient",
	"mandatory":            "Mandatory",
	"no_declare":           "NoDeclare",
	"no_confirms":          "NoConfirms",
	"confirm_window":       "ConfirmWindow",
	"max_message_bytes":    "MaxMessageBytes",
	"dial_timeout":         "DialTimeout",
	"connection_name":      "ConnectionName",
	"queue":                "Queue.Name",
	"binding_key":          "Queue.BindingKey",
	"dead_letter_exchange": "Queue.DeadLetterExchange",
	"queue_max_length":     "Queue.MaxLength",
	"addr":                 "URLs",
})

// AMQPOptions are the query parameters amqp091-go reads from a URL
// (https://www.rabbitmq.com/docs/uri-query-parameters). Both forms pass
// them through; amqp091-go ignores any other, so both refuse the rest
// rather than let a misspelt one go unnoticed.
var AMQPOptions = []string{
	"auth_mechanism", "cacertfile", "certfile", "channel_max",
	"connection_timeout", "heartbeat", "keyfile", "server_name_indication",
}

// NATS are the settings of nats:// and nats+tls:// (natssink.Config).
var NATS = with(Table{
	"stream":          "Stream",
	"subject":         "Subject",
	"window":          "Window",
	"dial_timeout":    "DialTimeout",
	"reconnect_wait":  "ReconnectWait",
	"ping_interval":   "PingInterval",
	"no_randomize":    "NoRandomize",
	"connection_name": "ConnectionName",
	"creds":           "CredsFile",
	"tls_ca":          "CAFile",
	"tls_cert":        "CertFile",
	"tls_key":         "KeyFile",
	"addr":            "URLs",
	"create":          "CreateStream",
	"replicas":        "CreateStream.Replicas",
	"storage":         "CreateStream.Storage",
	"max_age":         "CreateStream.MaxAge",
	"max_bytes":       "CreateStream.MaxBytes",
	"max_msgs":        "CreateStream.MaxMsgs",
	"duplicates":      "CreateStream.Duplicates",
	"stream_subjects": "CreateStream.Subjects",
})

// OTLP are the settings of otlp+http:// and otlp+https:// (otelsink.Config).
var OTLP = with(Table{
	"service":          "ServiceName",
	"header":           "Headers",
	"gzip":             "Gzip",
	"incomplete_after": "IncompleteAfter",
	"max_open":         "MaxOpen",
	"token_events":     "TokenEvents",
	"max_span_events":  "MaxSpanEvents",
})

// Terminal are the settings of terminal (terminal.Config), which has no URL.
var Terminal = with(Table{
	"color":    "Color",
	"tokens":   "HideTokens",
	"data":     "HideData",
	"max_data": "MaxDataLen",
	"output":   "Output",
})

func with(own Table) Table {
	t := maps.Clone(Host)
	maps.Copy(t, own)
	return t
}

// Refuse returns an error naming every setting of q that t lists, and the
// Config field to set instead, or nil. field names the Config field the
// query came in ("URL", "Endpoint"). The error does not wrap a sentinel:
// the driver wraps it as its other configuration errors.
func Refuse(q url.Values, t Table, field string) error {
	var names, fields []string
	for _, name := range slices.Sorted(maps.Keys(q)) {
		if f, ok := t[name]; ok {
			names = append(names, strconv.Quote(name))
			fields = append(fields, "Config."+f)
		}
	}
	switch len(names) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("setting %s belongs to sink URLs (package sinkurl), not to Config.%s: set %s instead", names[0], field, fields[0])
	}
	return fmt.Errorf("settings %s belong to sink URLs (package sinkurl), not to Config.%s: set %s instead",
		strings.Join(names, ", "), field, strings.Join(fields, ", "))
}
