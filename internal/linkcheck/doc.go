// Package linkcheck checks what a user's program links. It has tests only.
//
// A program that uses only the bus and the terminal sink
// (testdata/busterminal) must not contain our Prometheus collector (bus/prom)
// nor any driver it does not use, and no package of this module but bus/prom
// may import the Prometheus client: Prometheus is opt-in, through bus/prom.
//
// What protoactor-go's actor package links whatever we do (the OpenTelemetry
// metric SDK, its Prometheus exporter with the Prometheus client, protobuf)
// is logged, not asserted: it is the runtime's cost (see the README's
// Dependencies section).
package linkcheck
