package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// snapshot is what the progress line shows, summed over a run's sinks.
type snapshot struct {
	emitted, delivered, dropped, buffered uint64
}

// progress prints a snapshot every tick: one line rewritten in place on a
// terminal, plain lines otherwise. A nil writer prints nothing.
type progress struct {
	w     io.Writer
	tty   bool
	name  string
	tick  time.Duration
	read  func() snapshot
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	start time.Time
}

func startProgress(w io.Writer, tty bool, name string, tick time.Duration, read func() snapshot) *progress {
	p := &progress{w: w, tty: tty, name: name, tick: tick, read: read,
		stop: make(chan struct{}), done: make(chan struct{}), start: time.Now()}
	if w == nil {
		close(p.done)
		return p
	}
	if tty {
		p.tick = min(tick, 250*time.Millisecond)
	}
	go p.loop()
	return p
}

func (p *progress) loop() {
	defer close(p.done)
	t := time.NewTicker(p.tick)
	defer t.Stop()
	var last snapshot
	lastAt := p.start
	for {
		select {
		case <-p.stop:
			if p.tty {
				fmt.Fprintln(p.w)
			}
			return
		case now := <-t.C:
			s := p.read()
			rate := float64(s.delivered-last.delivered) / now.Sub(lastAt).Seconds()
			line := fmt.Sprintf("%s %5.1fs  emitted %d  delivered %d  %s/s  dropped %d  buffered %d",
				p.name, now.Sub(p.start).Seconds(), s.emitted, s.delivered, rateText(rate), s.dropped, s.buffered)
			if p.tty {
				fmt.Fprintf(p.w, "\r\033[K%s", line)
			} else {
				fmt.Fprintln(p.w, line)
			}
			last, lastAt = s, now
		}
	}
}

func rateText(v float64) string {
	if v < 0 {
		v = 0
	}
	return rate(v)
}

// end stops the progress output and waits for its goroutine.
func (p *progress) end() {
	p.once.Do(func() { close(p.stop) })
	<-p.done
}
