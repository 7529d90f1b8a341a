package spool

import (
	"slices"
	"time"
)

// Stats is a snapshot of a spool's state, for Health and metrics.
type Stats struct {
	// Bytes is the size of the segment files on disk, acknowledged records
	// not yet reclaimed included.
	Bytes int64
	// Segments is the number of segment files.
	Segments int
	// Records is the number of records not acknowledged.
	Records uint64
	// Oldest is the append time of the oldest record not acknowledged;
	// zero when there is none. OldestAge is its age at the time of Stats.
	Oldest    time.Time
	OldestAge time.Duration

	// NextSeq is the sequence number the next record will get.
	NextSeq uint64
	// Durable is Spool.Durable at the time of Stats.
	Durable uint64
	// Acked: every record up to it is acknowledged.
	Acked uint64

	// Syncs counts segment fsyncs; SyncErrors those that failed.
	Syncs, SyncErrors uint64
	// LastSync is the latest fsync's duration; SyncP99 the 99th
	// percentile over the last 512 fsyncs.
	LastSync, SyncP99 time.Duration

	// CorruptRecords counts the records lost to corruption: sequence
	// numbers missing between valid records, not acknowledged before.
	// They are never yielded; the count is what a host reports as dropped.
	CorruptRecords uint64
	// CorruptBytes counts the bytes skipped because they held no valid
	// record, in the middle of the log.
	CorruptBytes int64
	// TornBytes counts the bytes of torn tails truncated at Open: records
	// whose Append had not returned when the process died.
	TornBytes int64
	// AcksLost reports that Open found the acknowledgement files corrupt
	// and started from none: every record then comes again (duplicates,
	// no loss).
	AcksLost bool

	// DiskErrors counts failed file operations. Failing reports that the
	// latest write or fsync failed; LastError is the latest error.
	DiskErrors uint64
	Failing    bool
	LastError  error
}

const syncWindow = 512

// statsState is what Stats reads. Guarded by Spool.mu.
type statsState struct {
	bytes       int64
	segments    int
	records     uint64
	oldestNanos int64
	nextSeq     uint64

	syncs, syncErrors uint64
	lastSync          time.Duration
	syncLat           [syncWindow]time.Duration
	syncLatN          int

	corruptRecords uint64
	corruptBytes   int64
	tornBytes      int64
	acksLost       bool

	diskErrors uint64
	failing    bool
	lastErr    error
}

func (st *statsState) recordSync(took time.Duration, failed bool) {
	st.syncs++
	if failed {
		st.syncErrors++
	}
	st.lastSync = took
	st.syncLat[st.syncLatN%syncWindow] = took
	st.syncLatN++
}

// Stats returns a snapshot. It is safe to call from any goroutine.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	st := &s.st
	out := Stats{
		Bytes:          st.bytes,
		Segments:       st.segments,
		Records:        st.records,
		NextSeq:        st.nextSeq,
		Durable:        s.durable.Load(),
		Acked:          s.acks.floor,
		Syncs:          st.syncs,
		SyncErrors:     st.syncErrors,
		LastSync:       st.lastSync,
		CorruptRecords: st.corruptRecords,
		CorruptBytes:   st.corruptBytes,
		TornBytes:      st.tornBytes,
		AcksLost:       st.acksLost,
		DiskErrors:     st.diskErrors,
		Failing:        st.failing,
		LastError:      st.lastErr,
	}
	lat := slices.Clone(st.syncLat[:min(st.syncLatN, syncWindow)])
	oldest := st.oldestNanos
	s.mu.Unlock()

	if len(lat) > 0 {
		slices.Sort(lat)
		out.SyncP99 = lat[(len(lat)*99+99)/100-1]
	}
	if oldest != 0 && out.Records > 0 {
		out.Oldest = time.Unix(0, oldest)
		out.OldestAge = max(0, s.opts.Now().Sub(out.Oldest))
	}
	return out
}
