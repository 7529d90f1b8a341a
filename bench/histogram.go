package main

import (
	"math"
	"math/bits"
	"time"
)

// A histogram counts durations in log-linear buckets, HDR-style: values below
// subBuckets nanoseconds are exact, and every power of two above is split into
// subBuckets equal parts, so a recorded value is known within 1/subBuckets
// (about 1.6%) of itself. Recording is one array increment; a histogram is
// owned by one goroutine and merged after the run.
type histogram struct {
	counts [bucketCount]uint64
	total  uint64
	max    int64
}

const (
	subBucketBits = 6
	subBuckets    = 1 << subBucketBits
	// Exponents 0..63-subBucketBits, plus the exact range below subBuckets.
	bucketCount = (64 - subBucketBits + 1) * subBuckets
)

// bucketOf returns the bucket of v nanoseconds (v >= 0).
func bucketOf(v uint64) int {
	if v < subBuckets {
		return int(v)
	}
	shift := bits.Len64(v) - subBucketBits - 1
	return (shift+1)*subBuckets + int(v>>shift) - subBuckets
}

// bucketValue returns the middle of bucket i, the value a quantile reports.
func bucketValue(i int) int64 {
	if i < subBuckets {
		return int64(i)
	}
	shift := i/subBuckets - 1
	low := uint64(i%subBuckets+subBuckets) << shift
	return int64(low + (uint64(1)<<shift)/2)
}

// record counts one duration; negative durations (a clock step) count as 0.
func (h *histogram) record(d time.Duration) {
	v := int64(d)
	if v < 0 {
		v = 0
	}
	h.counts[bucketOf(uint64(v))]++
	h.total++
	if v > h.max {
		h.max = v
	}
}

// merge adds o's counts to h.
func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// quantile returns the duration below which a fraction q of the values lie;
// 0 when nothing was recorded.
func (h *histogram) quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(bucketValue(i), h.max))
		}
	}
	return time.Duration(h.max)
}

// Latency is the summary of a histogram that reports print, in microseconds
// so that the JSON stays readable.
type Latency struct {
	Count  uint64  `json:"count"`
	P50us  float64 `json:"p50_us"`
	P99us  float64 `json:"p99_us"`
	P999us float64 `json:"p999_us"`
	MaxUs  float64 `json:"max_us"`
}

// summary returns h's percentiles, or nil when nothing was recorded.
func (h *histogram) summary() *Latency {
	if h.total == 0 {
		return nil
	}
	us := func(d time.Duration) float64 { return math.Round(float64(d)/1e1) / 1e2 }
	return &Latency{
		Count:  h.total,
		P50us:  us(h.quantile(0.50)),
		P99us:  us(h.quantile(0.99)),
		P999us: us(h.quantile(0.999)),
		MaxUs:  us(time.Duration(h.max)),
	}
}
