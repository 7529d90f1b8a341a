// Package prom exposes a bus's sink counters to Prometheus.
//
//	prometheus.MustRegister(prom.NewCollector(b, prom.Options{}))
//
// The collector reads the same snapshots as Bus.Health at scrape time, so it
// adds nothing to the event path. Metric names start with the namespace
// (default "streamll") and "sink_", and carry a "sink" label with the sink's
// name:
//
//	streamll_sink_received_total, _delivered_total, _batches_total,
//	_failed_attempts_total, _restarts_total        counters
//	streamll_sink_dropped_total{reason}            counter per drop reason
//	streamll_sink_buffered, _buffered_high_water,
//	_consecutive_failures                          gauges
//	streamll_sink_up                               1 when running with a closed circuit
//	streamll_sink_state{state}                     1 for the current state, 0 for the others
//	streamll_sink_circuit{state}                   1 for the current circuit state
//	streamll_sink_circuit_changed_timestamp_seconds
//
// It lives in its own package so that programs that do not use Prometheus do
// not link its client.
package prom
