package prom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/supervisor"
	"github.com/streamll/streamll-go/bus"
)

// Options configure a collector. The zero value is valid.
type Options struct {
	// Namespace prefixes every metric name. Default "streamll".
	Namespace string
	// ConstLabels are added to every metric, such as {"service": "api"}.
	ConstLabels prometheus.Labels
}

// Collector is a prometheus.Collector over one bus.
type Collector struct {
	bus *bus.Bus

	received, delivered, batches, failed, restarts *prometheus.Desc
	dropped                                        *prometheus.Desc
	buffered, highWater, consecutive, up           *prometheus.Desc
	state, circuit, circuitChanged                 *prometheus.Desc
	spoolBytes, spoolEvents, spoolAge, spoolFsync  *prometheus.Desc
	spoolFsyncs, spoolCorrupt, spoolFailing        *prometheus.Desc
}

// NewCollector returns a collector for b's sinks.
func NewCollector(b *bus.Bus, o Options) *Collector {
	if o.Namespace == "" {
		o.Namespace = "streamll"
	}
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(o.Namespace, "sink", name), help,
			append([]string{"sink"}, labels...), o.ConstLabels)
	}
	return &Collector{
		bus:            b,
		received:       desc("received_total", "Events that matched the sink's filter."),
		delivered:      desc("delivered_total", "Events the sink confirmed delivered."),
		batches:        desc("batches_total", "Successful writes."),
		failed:         desc("failed_attempts_total", "Failed writes: errors, timeouts and panics."),
		restarts:       desc("restarts_total", "Restarts of the sink after a driver panic."),
		dropped:        desc("dropped_total", "Events not delivered, by reason.", "reason"),
		buffered:       desc("buffered", "Events the sink holds now, the batch in hand included."),
		highWater:      desc("buffered_high_water", "The most events the sink has held."),
		consecutive:    desc("consecutive_failures", "Failed attempts since the last success."),
		up:             desc("up", "1 when the sink is running with a closed circuit."),
		state:          desc("state", "1 for the sink's current lifecycle state.", "state"),
		circuit:        desc("circuit", "1 for the sink's current circuit breaker state.", "state"),
		circuitChanged: desc("circuit_changed_timestamp_seconds", "When the circuit last changed state."),
		spoolBytes:     desc("spool_bytes", "Size of the sink's spool files (sinks with a spool only)."),
		spoolEvents:    desc("spool_events", "Events in the sink's spool not delivered yet."),
		spoolAge:       desc("spool_oldest_age_seconds", "Age of the oldest event in the sink's spool."),
		spoolFsync:     desc("spool_fsync_p99_seconds", "99th percentile of the spool's recent fsyncs."),
		spoolFsyncs:    desc("spool_fsyncs_total", "Fsyncs of the sink's spool."),
		spoolCorrupt:   desc("spool_corrupt_records_total", "Records of the spool found corrupt and skipped."),
		spoolFailing:   desc("spool_failing", "1 while the spool's disk fails and events wait in memory only."),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.received, c.delivered, c.batches, c.failed, c.restarts, c.dropped,
		c.buffered, c.highWater, c.consecutive, c.up, c.state, c.circuit, c.circuitChanged,
		c.spoolBytes, c.spoolEvents, c.spoolAge, c.spoolFsync, c.spoolFsyncs, c.spoolCorrupt, c.spoolFailing} {
		ch <- d
	}
}

var (
	allStates   = []sinks.State{sinks.Running, sinks.Restarting, sinks.Paused, sinks.Stopped, sinks.Draining, sinks.Finished}
	allCircuits = []supervisor.Circuit{supervisor.Closed, supervisor.Open, supervisor.HalfOpen}
)

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, h := range c.bus.Health() {
		counter := func(d *prometheus.Desc, v uint64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append([]string{h.Name}, labels...)...)
		}
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{h.Name}, labels...)...)
		}
		counter(c.received, h.Received)
		counter(c.delivered, h.Delivered)
		counter(c.batches, h.Batches)
		counter(c.failed, h.FailedAttempts)
		counter(c.restarts, h.Restarts)
		for _, r := range sinks.DropReasons() {
			counter(c.dropped, h.Dropped[r.String()], r.String())
		}
		gauge(c.buffered, float64(h.Buffered))
		gauge(c.highWater, float64(h.BufferedHighWater))
		gauge(c.consecutive, float64(h.ConsecutiveFailures))
		gauge(c.up, boolFloat(h.Healthy()))
		for _, s := range allStates {
			gauge(c.state, boolFloat(h.State == s), s.String())
		}
		for _, s := range allCircuits {
			gauge(c.circuit, boolFloat(h.Circuit == s), s.String())
		}
		gauge(c.circuitChanged, float64(h.CircuitSince.UnixNano())/1e9)
		if sp := h.Spool; sp != nil {
			gauge(c.spoolBytes, float64(sp.Bytes))
			gauge(c.spoolEvents, float64(sp.Events))
			gauge(c.spoolAge, sp.OldestAge.Seconds())
			gauge(c.spoolFsync, sp.FsyncP99.Seconds())
			counter(c.spoolFsyncs, sp.Fsyncs)
			counter(c.spoolCorrupt, sp.CorruptSkipped)
			gauge(c.spoolFailing, boolFloat(sp.Failing))
		}
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
