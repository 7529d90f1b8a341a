package engine

// dedicated is a protoactor dispatcher that runs one actor's mailbox on a
// goroutine of its own for the engine's whole life, instead of a new
// goroutine each time the mailbox wakes (protoactor's default). At the rates
// services run, an actor wakes for every turn; a fresh goroutine then starts
// on a small stack and grows it on the way into the actor's code, every
// time, which measured as a fifth of the bus's CPU at 10K events/s.
//
// The mailbox schedules at most one run at a time (it sets itself running
// before it calls Schedule, and idle only as the run ends), so the channel
// never holds more than one run and Schedule never waits.
type dedicated struct {
	runs chan func()
	quit chan struct{}
	done chan struct{}
}

func newDedicated() *dedicated {
	d := &dedicated{runs: make(chan func(), 1), quit: make(chan struct{}), done: make(chan struct{})}
	go d.loop()
	return d
}

func (d *dedicated) loop() {
	defer close(d.done)
	for {
		select {
		case fn := <-d.runs:
			fn()
		case <-d.quit:
			return
		}
	}
}

// Schedule implements actor.Dispatcher. After stop, a run is dropped: the
// actor is gone and nothing it would do matters.
func (d *dedicated) Schedule(fn func()) {
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
}
