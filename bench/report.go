package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is everything a run of the command measured; -json prints it as is.
type Report struct {
	Machine  Machine       `json:"machine"`
	Settings Settings      `json:"settings"`
	Runs     []Run         `json:"runs"`
	Ratios   []Ratio       `json:"ratios,omitempty"`
	Sweep    []SweepPoint  `json:"sweep,omitempty"`
	Outage   *OutageResult `json:"outage,omitempty"`
	Flood    *FloodResult  `json:"flood,omitempty"`
	Rates    []RatePoint   `json:"rates,omitempty"`
	// OK is false when an event was lost or the counts do not add up;
	// Problems says which. The command then exits with status 1.
	OK       bool     `json:"ok"`
	Problems []string `json:"problems,omitempty"`
}

// Machine describes where the figures come from.
type Machine struct {
	GoVersion  string `json:"go_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	CPUModel   string `json:"cpu_model,omitempty"`
	MemoryMiB  uint64 `json:"memory_mib,omitempty"`
	Started    string `json:"started"`
}

// Settings are the workload's parameters.
type Settings struct {
	Sinks         []string `json:"sinks"`
	Producers     int      `json:"producers"`
	Events        int      `json:"events,omitempty"`
	Duration      string   `json:"duration,omitempty"`
	PayloadBytes  int      `json:"payload_bytes"`
	BatchSize     int      `json:"batch_size"`
	BufferSize    int      `json:"buffer_size"`
	Rate          float64  `json:"rate,omitempty"`
	Window        int      `json:"window,omitempty"`
	ConfirmWindow int      `json:"confirm_window,omitempty"`
	Consumer      string   `json:"consumer"`
	Spool         string   `json:"spool,omitempty"`
}

// Run is one measured pass: through the bus, or through a raw client.
type Run struct {
	Name      string `json:"name"`
	Producers int    `json:"producers"`
	Emitted   uint64 `json:"emitted"`
	// Seconds runs from the first event until every sink had delivered (or
	// dropped) everything, Close included; EventsPerSec is Emitted over it.
	Seconds      float64      `json:"seconds"`
	EventsPerSec float64      `json:"events_per_sec"`
	Emit         *Latency     `json:"emit_latency,omitempty"`
	CPUSeconds   float64      `json:"cpu_seconds"`
	PeakRSSBytes uint64       `json:"peak_rss_bytes"`
	Sinks        []SinkResult `json:"sinks"`
}

// SinkResult is what became of the events meant for one sink.
type SinkResult struct {
	Name         string            `json:"name"`
	Kind         string            `json:"kind"`
	Delivered    uint64            `json:"delivered"`
	Dropped      uint64            `json:"dropped"`
	DroppedBy    map[string]uint64 `json:"dropped_by,omitempty"`
	EventsPerSec float64           `json:"events_per_sec"`
	// Consumer is how the output was read back (live, after, lines, count
	// or off); Consumed counts distinct events read, Duplicates the extra
	// copies.
	Consumer   string `json:"consumer"`
	Consumed   uint64 `json:"consumed"`
	Duplicates uint64 `json:"duplicates"`
	// Lost counts events reported delivered that the consumer never read,
	// plus events emitted but neither delivered nor counted as dropped.
	// It must be 0.
	Lost uint64   `json:"lost"`
	E2E  *Latency `json:"e2e_latency,omitempty"`
	// Malformed counts messages the consumer could not read an event from.
	Malformed uint64 `json:"malformed,omitempty"`
}

// Ratio compares a bus figure to a reference run's: the median over Rounds
// rounds (-repeat), and their range when there were several.
type Ratio struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Rounds int     `json:"rounds,omitempty"`
	Min    float64 `json:"min,omitempty"`
	Max    float64 `json:"max,omitempty"`
}

func newReport(cfg config) Report {
	s := Settings{
		Sinks: cfg.Sinks, Producers: cfg.Producers, Events: cfg.Events,
		PayloadBytes: cfg.Payload, BatchSize: cfg.batchSize(), BufferSize: cfg.bufferSize(),
		Rate: cfg.Rate, Consumer: cfg.Consumer, Spool: cfg.SpoolSync,
	}
	if cfg.Events == 0 {
		s.Duration = cfg.Duration.String()
	}
	if cfg.Rate == 0 {
		s.Window = cfg.window()
	}
	if slices.Contains(cfg.Sinks, kindRabbitMQ) || slices.Contains(cfg.Sinks, kindNATS) {
		s.ConfirmWindow = cfg.Confirm
	}
	return Report{Machine: machine(), Settings: s, OK: true}
}

func machine() Machine {
	m := Machine{
		GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH,
		CPUs: runtime.NumCPU(), GOMAXPROCS: runtime.GOMAXPROCS(0),
		Started: time.Now().UTC().Format(time.RFC3339),
	}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb uint64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			m.MemoryMiB = kb / 1024
		}
	}
	return m
}

// check records every run's accounting problems in the report.
func (r *Report) check() {
	if f := r.Flood; f != nil && !f.Exact {
		r.problem("flood: emitted %d but delivered %d + dropped %v + buffered %d do not add up", f.Emitted, f.Delivered, f.Dropped, f.Buffered)
	}
	for _, run := range r.Runs {
		for _, s := range run.Sinks {
			if s.Malformed > 0 {
				r.problem("%s, %s: %d malformed messages read back", run.Name, s.Name, s.Malformed)
			}
			if s.Lost > 0 {
				r.problem("%s, %s: %d events lost", run.Name, s.Name, s.Lost)
			}
			if s.Delivered+s.Dropped != run.Emitted && s.Lost == 0 {
				r.problem("%s, %s: delivered %d + dropped %d != emitted %d", run.Name, s.Name, s.Delivered, s.Dropped, run.Emitted)
			}
		}
	}
}

func (r *Report) problem(format string, args ...any) {
	r.OK = false
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// writeJSON prints the report as indented JSON.
func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// writeTable prints the report for people.
func (r *Report) writeTable(w io.Writer) error {
	m := r.Machine
	fmt.Fprintf(w, "%s %s/%s, %d CPUs (GOMAXPROCS %d), %s, %d MiB\n", m.GoVersion, m.OS, m.Arch, m.CPUs, m.GOMAXPROCS, m.CPUModel, m.MemoryMiB)
	s := r.Settings
	batch := "each driver's default"
	if s.BatchSize > 0 {
		batch = strconv.Itoa(s.BatchSize)
	}
	fmt.Fprintf(w, "workload: %s; %d producers; %s; ~%d-byte events; batch %s, buffer %d", strings.Join(s.Sinks, ","), s.Producers, amount(s), s.PayloadBytes, batch, s.BufferSize)
	if s.ConfirmWindow > 0 {
		fmt.Fprintf(w, ", confirm window %d", s.ConfirmWindow)
	}
	if s.Spool != "" {
		fmt.Fprintf(w, ", spool (fsync %s)", s.Spool)
	}
	fmt.Fprintf(w, "; consumer %s\n\n", s.Consumer)
	if len(r.Runs) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "run\tsink\temitted\tdelivered\tdropped\tdup\tlost\tevents/s\temit p50\tp99\tp99.9\te2e p50\tp99\tCPU s\tpeak RSS\t")
		for _, run := range r.Runs {
			for i, sk := range run.Sinks {
				name, emitted, emit, cpu, rss := run.Name, fmt.Sprint(run.Emitted), run.Emit, fmt.Sprintf("%.2f", run.CPUSeconds), mib(run.PeakRSSBytes)
				if i > 0 {
					name, emitted, emit, cpu, rss = "", "", nil, "", ""
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
					name, sk.Name, emitted, sk.Delivered, sk.Dropped, dupText(sk), sk.Lost, rate(sk.EventsPerSec),
					us(emit, p50), us(emit, p99), us(emit, p999), us(sk.E2E, p50), us(sk.E2E, p99), cpu, rss)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, ra := range r.Ratios {
		fmt.Fprintf(w, "%s: %.2f×", ra.Name, ra.Value)
		if ra.Rounds > 1 {
			fmt.Fprintf(w, " (median of %d rounds, %.2f× to %.2f×)", ra.Rounds, ra.Min, ra.Max)
		}
		fmt.Fprintln(w)
	}
	if len(r.Sweep) > 0 {
		writeSweepTable(w, r.Sweep)
	}
	if r.Outage != nil {
		r.Outage.write(w)
	}
	if r.Flood != nil {
		r.Flood.write(w)
	}
	if len(r.Rates) > 0 {
		writeRates(w, r.Rates)
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "PROBLEM: %s\n", p)
	}
	return nil
}

func amount(s Settings) string {
	if s.Events > 0 {
		return fmt.Sprintf("%d events", s.Events)
	}
	if s.Rate > 0 {
		return fmt.Sprintf("%s at %.0f events/s", s.Duration, s.Rate)
	}
	return s.Duration + " as fast as possible"
}

func dupText(s SinkResult) string {
	if s.Consumer == consumeOff || s.Consumer == "count" || s.Consumer == "lines" {
		return "-"
	}
	return fmt.Sprint(s.Duplicates)
}

// scale writes v in the largest of units (ordered from the largest down)
// that it reaches, or in the smallest.
func scale(v float64, units ...unit) string {
	for i, u := range units {
		if v >= u.size || i == len(units)-1 {
			return fmt.Sprintf(u.format, v/u.size)
		}
	}
	return ""
}

type unit struct {
	size   float64
	format string
}

func rate(v float64) string {
	return scale(v, unit{1e6, "%.2fM"}, unit{1e3, "%.1fK"}, unit{1, "%.0f"})
}

func mib(b uint64) string { return fmt.Sprintf("%d MiB", b>>20) }

func p50(l *Latency) float64  { return l.P50us }
func p99(l *Latency) float64  { return l.P99us }
func p999(l *Latency) float64 { return l.P999us }

// us formats one percentile of l for the table.
func us(l *Latency, pick func(*Latency) float64) string {
	if l == nil {
		return "-"
	}
	return scale(pick(l), unit{1e6, "%.2fs"}, unit{1e3, "%.2fms"}, unit{1, "%.1fµs"}, unit{1e-3, "%.0fns"})
}
