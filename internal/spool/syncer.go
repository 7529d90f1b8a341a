package spool

import (
	"fmt"
	"time"
)

// syncLoop is the spool's background goroutine: every SyncPeriod it fsyncs
// the active segment (SyncPeriodic only, and only when something was
// appended since the last fsync) and writes the acknowledgements when they
// changed. It stops when Close closes s.stop.
func (s *Spool) syncLoop() {
	defer close(s.done)
	t := time.NewTicker(s.opts.SyncPeriod)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.syncMu.Lock()
		s.syncLocked(s.opts.Sync == SyncPeriodic, true) // errors are counted and logged
		s.syncMu.Unlock()
	}
}

// syncLocked fsyncs the active segment if fsync is set and records were
// written since the last fsync, then, if acks is set, writes the
// acknowledgements when they changed (fsynced unless the policy is
// SyncNever). Caller holds syncMu.
func (s *Spool) syncLocked(fsync, acks bool) error {
	var err error
	if fsync {
		err = s.fsyncActiveLocked()
	}
	if acks {
		if aerr := s.persistAcksLocked(); err == nil {
			err = aerr
		}
	}
	return err
}

// fsyncActiveLocked fsyncs the active segment if it holds unsynced records.
// After a failed fsync the kernel may have dropped the dirty pages, so a
// later successful fsync proves nothing about them: their sequence numbers
// are poisoned (Durable stays below them until they are acknowledged) and the
// next Append starts a new segment. Caller holds syncMu.
func (s *Spool) fsyncActiveLocked() error {
	s.mu.Lock()
	f, upTo, need := s.activeFile, s.written, s.unsynced
	s.unsynced = false
	s.mu.Unlock()
	if !need || f == nil {
		return nil
	}
	start := time.Now()
	err := f.Sync()
	took := time.Since(start)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.recordSync(took, err != nil)
	if err != nil {
		s.poisonLocked(upTo)
		err = fmt.Errorf("%w: fsync segment: %w", ErrIO, err)
		s.diskErrorLocked(err)
		return err
	}
	s.synced = max(s.synced, upTo)
	s.diskOKLocked()
	s.updateDurable()
	return nil
}

// poisonLocked marks the records after the last good fsync, up to upTo, as
// not durable, and asks for a new segment. Caller holds mu.
func (s *Spool) poisonLocked(upTo uint64) {
	lo := s.synced + 1
	if s.poison.hi != 0 {
		lo = min(lo, s.poison.lo)
	}
	if upTo >= lo {
		s.poison = seqRange{lo, max(upTo, s.poison.hi)}
	}
	s.needRoll = true
	s.updateDurable()
}

// persistAcksLocked writes the acknowledgements if they changed. Caller
// holds syncMu.
func (s *Spool) persistAcksLocked() error {
	s.mu.Lock()
	if !s.acksDirty {
		s.mu.Unlock()
		return nil
	}
	snap := s.acks.clone()
	s.acksDirty = false
	s.mu.Unlock()

	err := s.ackFile.write(snap, s.opts.Sync != SyncNever)

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.acksDirty = true
		s.diskErrorLocked(err)
		return err
	}
	s.persisted = snap
	s.persistGen++
	return nil
}

// diskErrorLocked counts a disk error and logs the transition to failing.
// Caller holds mu.
func (s *Spool) diskErrorLocked(err error) {
	s.st.diskErrors++
	s.st.lastErr = err
	if !s.st.failing {
		s.st.failing = true
		s.opts.Logger.Warn("spool: disk error; the spool retries on every call", "dir", s.dir, "err", err)
	}
}

// diskOKLocked logs the transition from failing back to working. Caller
// holds mu.
func (s *Spool) diskOKLocked() {
	if s.st.failing {
		s.st.failing = false
		s.opts.Logger.Info("spool: disk works again", "dir", s.dir)
	}
}
