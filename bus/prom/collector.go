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
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.received, c.delivered, c.batches, c.failed, c.restarts, c.dropped,
		c.buffered, c.highWater, c.consecutive, c.up, c.state, c.circuit, c.circuitChanged} {
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
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
