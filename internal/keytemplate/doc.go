// Package keytemplate parses and renders the key templates of the sinks that
// name a destination per event: Redis stream keys (redissink's StreamKey),
// RabbitMQ routing keys (rabbitmqsink's RoutingKey) and NATS subjects
// (natssink's Subject). The drivers accept the same syntax and the same
// rules; this package holds them once, and each driver adds only what its
// backend needs (RabbitMQ and NATS rewrite values into one routing-key word
// or subject token; RabbitMQ keeps a key within 255 bytes).
//
// A template is literal text with placeholders in braces, each naming a field
// of the event: {event_type}, {operation}, {module_name}, {method_name},
// {execution_id}, or {tag:NAME} for the event's tag NAME. "{{" and "}}" stand
// for literal braces, so "{{{tag:customer_id}}}" renders as "{c-42}". The
// caller says which fields its templates may use; Parse rejects any other
// placeholder, an empty one, a tag without a name, and unbalanced braces, so
// that a bad template is a configuration error and never a failure at write
// time.
//
// Rendering replaces each placeholder by the event's value. An empty value
// (an event without an operation, or without the tag named) renders as
// EmptyValue, "unknown", so that such events share one visible key rather
// than producing keys like "events:" that are easy to miss; a nil event has
// only empty values. A caller that must rewrite values gives Render an
// AppendFunc, which sees every non-empty value.
//
// A Template without placeholders is fixed: Render returns the same key for
// every event without looking at it. A templated one keeps the keys it has
// rendered, up to 4096 of them, so a steady set of keys costs no allocation
// per event; a template over execution ids or tags can name unboundedly many
// keys, so when the cache is full it starts over. A Template reuses one
// buffer and one cache, so it is not safe for concurrent use: a sink renders
// from its Write goroutine only.
package keytemplate
