package main

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistogramQuantilesWithinPrecision(t *testing.T) {
	tests := []struct {
		name string
		gen  func(r *rand.Rand) time.Duration
	}{
		{"sub-microsecond", func(r *rand.Rand) time.Duration { return time.Duration(r.IntN(1000)) }},
		{"uniform to 10ms", func(r *rand.Rand) time.Duration { return time.Duration(r.Int64N(int64(10 * time.Millisecond))) }},
		{"long tail", func(r *rand.Rand) time.Duration { return time.Duration(r.ExpFloat64() * float64(50*time.Microsecond)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var h histogram
			vals := make([]time.Duration, 100_000)
			for i := range vals {
				vals[i] = tt.gen(r)
				h.record(vals[i])
			}
			slices.Sort(vals)
			for _, q := range []float64{0.5, 0.99, 0.999} {
				exact := vals[int(q*float64(len(vals)))-1]
				got := h.quantile(q)
				tol := max(time.Duration(float64(exact)/subBuckets)+1, 1)
				if d := got - exact; d > tol || d < -tol {
					t.Errorf("q%v = %v, exact %v (tolerance %v)", q, got, exact, tol)
				}
			}
			if time.Duration(h.max) != vals[len(vals)-1] {
				t.Errorf("max = %v, want %v", time.Duration(h.max), vals[len(vals)-1])
			}
		})
	}
}

func TestHistogramBucketsAreMonotonic(t *testing.T) {
	prev := -1
	for v := uint64(0); v < 1<<40; v = v*9/8 + 1 {
		b := bucketOf(v)
		if b < prev || b >= bucketCount {
			t.Fatalf("bucketOf(%d) = %d after %d", v, b, prev)
		}
		if lo := bucketValue(b); uint64(lo) > v+v/subBuckets+1 || uint64(lo)+uint64(lo)/subBuckets+1 < v {
			t.Fatalf("bucketValue(bucketOf(%d)) = %d, too far", v, lo)
		}
		prev = b
	}
}

func TestHistogramMergeAndEmpty(t *testing.T) {
	var a, b, empty histogram
	if empty.summary() != nil || empty.quantile(0.5) != 0 {
		t.Fatal("an empty histogram reports values")
	}
	a.record(time.Microsecond)
	b.record(time.Millisecond)
	b.record(-time.Second) // a clock step counts as 0
	a.merge(&b)
	if a.total != 3 || time.Duration(a.max) != time.Millisecond || a.quantile(0.01) != 0 {
		t.Fatalf("merged: total %d max %v q0.01 %v", a.total, time.Duration(a.max), a.quantile(0.01))
	}
}

func BenchmarkHistogramRecord(b *testing.B) {
	var h histogram
	b.ReportAllocs()
	for i := range b.N {
		h.record(time.Duration(i & 0xffff))
	}
}

func TestSummarizeTakesTheMedian(t *testing.T) {
	tests := []struct {
		name             string
		in               []float64
		median, min, max float64
	}{
		{"one round", []float64{0.8}, 0.8, 0, 0},
		{"odd", []float64{3, 1, 2}, 2, 1, 3},
		{"even", []float64{4, 1, 2, 3}, 2.5, 1, 4},
		{"none", nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := summarize("x", tt.in)
			if r.Value != tt.median || r.Min != tt.min || r.Max != tt.max || r.Rounds != len(tt.in) {
				t.Fatalf("summarize(%v) = %+v", tt.in, r)
			}
		})
	}
}
