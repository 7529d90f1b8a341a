package engine

import (
	"testing"
	"time"
)

func TestScheduleRunsOnTheDispatchersGoroutine(t *testing.T) {
	d := newDedicated()
	defer d.stop()
	ran := make(chan struct{})
	d.Schedule(func() { close(ran) })
	select {
	case <-ran:
	case <-time.After(10 * time.Second):
		t.Fatal("a scheduled run never ran")
	}
}

func TestRunHereRunsTheScheduledRunOnTheCaller(t *testing.T) {
	d := newDedicated()
	defer d.stop()
	ran := false
	d.runHere(func() { d.Schedule(func() { ran = true }) })
	if !ran {
		t.Fatal("the run was not taken on the caller's goroutine")
	}
	// Only the next Schedule is taken inline: a send that scheduled nothing
	// leaves the following run to the dispatcher.
	d.runHere(func() {})
	done := make(chan struct{})
	d.Schedule(func() { close(done) })
	<-done
	if d.here.Load() {
		t.Fatal("runHere left the hand-off armed")
	}
}

func TestRunHereAfterStopDropsTheRun(t *testing.T) {
	d := newDedicated()
	d.stop()
	d.runHere(func() { d.Schedule(func() { t.Error("a run after stop ran") }) })
	d.Schedule(func() { t.Error("a run after stop ran") })
}

func TestAlarmRunsOnTheDispatchersGoroutineBetweenRuns(t *testing.T) {
	fired := make(chan struct{}, 1)
	inRun := false
	var d *dedicated
	d = withAlarm(func() {
		if inRun {
			t.Error("the alarm ran during a run")
		}
		// Scheduling from the alarm must not wait on the goroutine itself.
		d.Schedule(func() { fired <- struct{}{} })
	})
	defer d.stop()
	d.Schedule(func() { inRun = true; time.Sleep(5 * time.Millisecond); inRun = false })
	d.alarm.Reset(time.Millisecond)
	select {
	case <-fired:
	case <-time.After(10 * time.Second):
		t.Fatal("the alarm never fired")
	}
}
