package spool

import "sort"

// seqRange is the closed interval [lo, hi] of sequence numbers.
type seqRange struct{ lo, hi uint64 }

// ackSet is the set of acknowledged sequence numbers: every number up to
// floor, and the sorted, disjoint, non-adjacent ranges above floor+1. A host
// acknowledges mostly in order, so ranges stays as short as the holes its
// partial batches leave.
type ackSet struct {
	floor  uint64
	ranges []seqRange
}

// has reports whether seq is acknowledged.
func (a *ackSet) has(seq uint64) bool {
	if seq <= a.floor {
		return true
	}
	i := sort.Search(len(a.ranges), func(i int) bool { return a.ranges[i].hi >= seq })
	return i < len(a.ranges) && a.ranges[i].lo <= seq
}

// covers reports whether every number in [lo, hi] is acknowledged. An empty
// interval (hi < lo) is covered.
func (a *ackSet) covers(lo, hi uint64) bool {
	if hi < lo || hi <= a.floor {
		return true
	}
	lo = max(lo, a.floor+1)
	i := sort.Search(len(a.ranges), func(i int) bool { return a.ranges[i].hi >= lo })
	return i < len(a.ranges) && a.ranges[i].lo <= lo && a.ranges[i].hi >= hi
}

// count returns how many numbers in [1, limit] are acknowledged.
func (a *ackSet) count(limit uint64) uint64 {
	n := min(a.floor, limit)
	for _, r := range a.ranges {
		if r.lo > limit {
			break
		}
		n += min(r.hi, limit) - r.lo + 1
	}
	return n
}

// add acknowledges [lo, hi] and returns how many of its numbers were not
// acknowledged before.
func (a *ackSet) add(lo, hi uint64) (added uint64) {
	if hi < lo || hi <= a.floor {
		return 0
	}
	lo = max(lo, a.floor+1)
	added = hi - lo + 1
	// The ranges that overlap or touch [lo, hi] are ranges[i:j].
	i := sort.Search(len(a.ranges), func(i int) bool { return a.ranges[i].hi+1 >= lo })
	j := i
	for j < len(a.ranges) && a.ranges[j].lo <= hi+1 {
		r := a.ranges[j]
		added -= overlap(r, lo, hi)
		lo, hi = min(lo, r.lo), max(hi, r.hi)
		j++
	}
	if i == j {
		// Nothing to merge with: insert, the common case being at the end.
		a.ranges = append(a.ranges, seqRange{})
		copy(a.ranges[i+1:], a.ranges[i:])
		a.ranges[i] = seqRange{lo, hi}
	} else {
		a.ranges[i] = seqRange{lo, hi}
		a.ranges = append(a.ranges[:i+1], a.ranges[j:]...)
	}
	if len(a.ranges) > 0 && a.ranges[0].lo == a.floor+1 {
		a.floor = a.ranges[0].hi
		a.ranges = append(a.ranges[:0], a.ranges[1:]...)
	}
	return added
}

// raiseFloor acknowledges everything up to floor.
func (a *ackSet) raiseFloor(floor uint64) {
	if floor > a.floor {
		a.add(1, floor)
	}
}

// clone returns a copy that shares nothing with a.
func (a *ackSet) clone() ackSet {
	return ackSet{floor: a.floor, ranges: append([]seqRange(nil), a.ranges...)}
}

func overlap(r seqRange, lo, hi uint64) uint64 {
	l, h := max(r.lo, lo), min(r.hi, hi)
	if h < l {
		return 0
	}
	return h - l + 1
}
