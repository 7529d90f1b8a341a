// Package otlptest is an OTLP/HTTP trace receiver for tests: an HTTP server
// on the loopback interface that decodes each export request with the
// official OTLP protobuf definitions (go.opentelemetry.io/proto/otlp), keeps
// the spans as plain Go values, and answers as a collector does, or as a
// test tells it to (a 5xx, a 429, a 400, a partial success).
//
// It stands in for an OpenTelemetry Collector, Jaeger, Tempo or Langfuse in
// tests of the otelsink package and the examples: what it decodes is exactly
// what such a receiver would get. Put internal/faultproxy between a sink and
// its Addr to cut or freeze the connection.
package otlptest
