package engine

import (
	"sync/atomic"
	"time"
)

// dedicated is a protoactor dispatcher that runs one actor's mailbox on a
// goroutine of its own for the engine's whole life, instead of a new
// goroutine each time the mailbox wakes (protoactor's default). At the rates
// services run, an actor wakes for every turn; a fresh goroutine then starts
// on a small stack and grows it on the way into the actor's code, every
// time, which measured as a fifth of the bus's CPU at 10K events/s.
//
// Two ways save a goroutine hand-off per turn, which on a virtual machine
// costs more than the turn itself (a thread woken, a processor taken from
// idle): the router's dispatcher serves the linger timer on its own
// goroutine (see withAlarm), and a host's writer runs the host's turn
// itself after a Write (see runHere).
//
// The mailbox schedules at most one run at a time (it sets itself running
// before it calls Schedule, and idle only as the run ends), so the channel
// never holds more than one run and Schedule never waits.
type dedicated struct {
	runs chan func()
	quit chan struct{}
	done chan struct{}

	// alarm, if set, is a timer the goroutine serves: onAlarm runs on the
	// goroutine when it fires, between two runs.
	alarm   *time.Timer
	onAlarm func()

	// here is set by runHere: the next run is scheduled on its caller.
	here atomic.Bool
}

func newDedicated() *dedicated { return start(&dedicated{}) }

// withAlarm returns a dedicated dispatcher whose goroutine also serves a
// timer, stopped until it is Reset, calling onAlarm when it fires. A timer
// of its own (time.AfterFunc) would start a goroutine at every firing only
// to wake this one.
//
// onAlarm may send to the actor: the message schedules a run only if none is
// outstanding, so the channel has room and the goroutine does not wait on
// itself.
func withAlarm(onAlarm func()) *dedicated {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return start(&dedicated{alarm: t, onAlarm: onAlarm})
}

func start(d *dedicated) *dedicated {
	d.runs, d.quit, d.done = make(chan func(), 1), make(chan struct{}), make(chan struct{})
	go d.loop()
	return d
}

func (d *dedicated) loop() {
	defer close(d.done)
	var alarm <-chan time.Time
	if d.alarm != nil {
		alarm = d.alarm.C
	}
	for {
		select {
		case fn := <-d.runs:
			fn()
		case <-alarm:
			d.onAlarm()
		case <-d.quit:
			return
		}
	}
}

// runHere calls send, and a run that send schedules runs on the calling
// goroutine instead of waking the dispatcher's. The writer reports a Write's
// outcome this way: the host's turn follows on the goroutine that is
// already awake, which at moderate rates spares a wake-up per batch.
//
// If the mailbox is already running, send schedules nothing, and a send from
// another goroutine racing with it may take the inline run instead. Either
// is correct: a mailbox runs one turn at a time on whichever goroutine runs
// it, and a turn never blocks.
func (d *dedicated) runHere(send func()) {
	d.here.Store(true)
	send()
	d.here.Store(false)
}

// Schedule implements actor.Dispatcher. After stop, a run is dropped: the
// actor is gone and nothing it would do matters.
func (d *dedicated) Schedule(fn func()) {
	if d.here.CompareAndSwap(true, false) {
		select {
		case <-d.quit:
		default:
			fn()
		}
		return
	}
	select {
	case d.runs <- fn:
	case <-d.quit:
	}
}

// Throughput implements actor.Dispatcher: how many messages a run takes
// before it yields the processor.
func (d *dedicated) Throughput() int { return 300 }

// stop ends the goroutine, once the actor has stopped, and waits for it.
func (d *dedicated) stop() {
	close(d.quit)
	<-d.done
	if d.alarm != nil {
		d.alarm.Stop()
	}
}
