package spool

import (
	"testing"
	"time"
)

func TestStatsOldestAge(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	start := clock.t
	s := open(t, t.TempDir(), Options{Now: clock.now})
	for i := 0; i < 3; i++ {
		s.Append(payload(i))
		clock.add(time.Second)
	}
	clock.add(7 * time.Second) // now start+10s
	st := s.Stats()
	if st.Records != 3 || !st.Oldest.Equal(start) || st.OldestAge != 10*time.Second {
		t.Fatalf("stats %+v", st)
	}
	got, _ := s.Next(nil, 2, 0)
	if !got[1].Time.Equal(start.Add(time.Second)) {
		t.Fatalf("record time %v", got[1].Time)
	}
	s.Ack(1)
	if st := s.Stats(); st.OldestAge != 9*time.Second || st.Records != 2 {
		t.Fatalf("after acknowledging the first: %+v", st)
	}
	s.Ack(3) // not read yet; 2 is in flight
	if st := s.Stats(); st.OldestAge != 9*time.Second || st.Records != 1 {
		t.Fatalf("after acknowledging the third: %+v", st)
	}
	s.Ack(2)
	if st := s.Stats(); !st.Oldest.IsZero() || st.Records != 0 || st.Acked != 3 {
		t.Fatalf("after acknowledging all: %+v", st)
	}
	// After a reopen the oldest is found on disk.
	s.Append(payload(3))
	clock.add(time.Minute)
	s.Close()
	s = open(t, s.Dir(), Options{Now: clock.now})
	if st := s.Stats(); st.OldestAge != time.Minute || st.Records != 1 {
		t.Fatalf("after reopen: %+v", st)
	}
}

func TestStatsSyncLatency(t *testing.T) {
	s := open(t, t.TempDir(), Options{Sync: SyncEveryAppend})
	for i := 0; i < 20; i++ {
		s.Append(payload(i))
	}
	st := s.Stats()
	if st.Syncs < 20 || st.LastSync <= 0 || st.SyncP99 <= 0 || st.Durable != 20 {
		t.Fatalf("stats %+v", st)
	}
}

func TestPeriodicSyncRunsByItself(t *testing.T) {
	s := open(t, t.TempDir(), Options{SyncPeriod: time.Millisecond})
	s.Append(payload(0), payload(1))
	s.Ack(1) // the acknowledgement is written too
	// There is no barrier for a timer: wait for it, boundedly.
	deadline := time.Now().Add(10 * time.Second)
	for s.Durable() < 2 || s.Stats().Syncs == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no periodic fsync in 10s: %+v", s.Stats())
		}
		time.Sleep(time.Millisecond)
	}
	for {
		s.mu.Lock()
		dirty := s.acksDirty
		s.mu.Unlock()
		if !dirty {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("acknowledgements not written in 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestOptionsValidation(t *testing.T) {
	for _, c := range []struct {
		name string
		opts Options
	}{
		{"negative MaxBytes", Options{MaxBytes: -1}},
		{"tiny MaxBytes", Options{MaxBytes: 1000}},
		{"segment above MaxBytes", Options{MaxBytes: 1 << 20, SegmentBytes: 2 << 20}},
		{"tiny segment", Options{SegmentBytes: 100}},
		{"record above MaxBytes", Options{MaxBytes: 1 << 20, MaxRecordBytes: 2 << 20}},
		{"unknown policy", Options{Sync: 7}},
		{"negative period", Options{SyncPeriod: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Open(t.TempDir(), c.opts); !errorsIs(err, ErrInvalidOptions) {
				t.Fatalf("Open = %v, want ErrInvalidOptions", err)
			}
		})
	}
	o, err := Options{MaxBytes: 1 << 20}.withDefaults()
	if err != nil || o.SegmentBytes != 128<<10 || o.MaxRecordBytes != 512<<10 || o.SyncPeriod != DefaultSyncPeriod {
		t.Fatalf("defaults for a 1 MiB spool: %+v %v", o, err)
	}
}

func TestClosedSpool(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	s.Close()
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := s.Append(payload(0)); !errorsIs(err, ErrClosed) {
		t.Fatalf("Append after Close: %v", err)
	}
	if _, err := s.Next(nil, 1, 0); !errorsIs(err, ErrClosed) {
		t.Fatalf("Next after Close: %v", err)
	}
	if err := s.Ack(1); !errorsIs(err, ErrClosed) {
		t.Fatalf("Ack after Close: %v", err)
	}
	if err := s.Sync(); !errorsIs(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
}
