package sinktest

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/faultproxy"
)

// faultWrite bounds each Write of the fault cases, as the host's default
// write timeout does.
const faultWrite = sinks.DefaultWriteTimeout

// Proxy stands between a sink and its destination in the fault cases:
// Harness.Proxied points the sink at it, and the suite cuts the connection
// (as a crashed server or a reset does), freezes it (as a partition or a hung
// server does), cuts it in the middle of the server's replies, and restores
// it. Every proxy started through one Proxy is broken and restored together.
// A nil *Proxy leaves addresses as they are, so that one function can serve
// as both Harness.New (given nil) and Harness.Proxied.
type Proxy struct {
	t       *testing.T
	mu      sync.Mutex
	proxies []*faultproxy.Proxy
}

// Addr starts a proxy to target, "host:port" on the loopback interface, and
// returns the address the sink should dial instead.
func (p *Proxy) Addr(target string) string {
	if p == nil {
		return target
	}
	p.t.Helper()
	return p.add(faultproxy.New(p.t, target)).Addr()
}

// URL starts a proxy to the host of rawURL (on defaultPort when the URL names
// none) and returns rawURL pointed at it, credentials, path and query kept.
func (p *Proxy) URL(rawURL, defaultPort string) string {
	if p == nil {
		return rawURL
	}
	p.t.Helper()
	fp, proxied := faultproxy.ToURL(p.t, rawURL, defaultPort)
	p.add(fp)
	return proxied
}

func (p *Proxy) add(fp *faultproxy.Proxy) *faultproxy.Proxy {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.proxies = append(p.proxies, fp)
	return fp
}

func (p *Proxy) each(f func(*faultproxy.Proxy)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.proxies) == 0 {
		p.t.Fatal("Harness.Proxied did not route the sink through its Proxy (call p.URL or p.Addr)")
	}
	for _, fp := range p.proxies {
		f(fp)
	}
}

func (p *Proxy) cut()           { p.each((*faultproxy.Proxy).Cut) }
func (p *Proxy) freeze()        { p.each((*faultproxy.Proxy).Freeze) }
func (p *Proxy) restore()       { p.each((*faultproxy.Proxy).Restore) }
func (p *Proxy) cutAfter(n int) { p.each(func(fp *faultproxy.Proxy) { fp.CutAfter(n) }) }

// proxiedSink makes a sink through Harness.Proxied, or skips t.
func (s suite) proxiedSink(t *testing.T) (sinks.Sink, *Proxy) {
	t.Helper()
	if s.h.Proxied == nil {
		t.Skip("the driver reaches no destination over TCP (Harness.Proxied is nil)")
	}
	p := &Proxy{t: t}
	return s.closeAtEnd(t, s.h.Proxied(t, p), "Harness.Proxied"), p
}

// deliver retries batch as the host does until it is delivered, failing t
// if that takes longer than one wait's timeout.
func (s suite) deliver(t *testing.T, sink sinks.Sink, batch []*events.Event) {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	failed, err := Deliver(ctx, sink, batch, Retry{WriteTimeout: faultWrite})
	if err != nil {
		t.Fatalf("once the connection was restored: %v", err)
	}
	if failed > 0 {
		t.Logf("%d Writes failed before the restored connection delivered", failed)
	}
}

// checkRetryable fails t unless err says the batch was not delivered and
// that a retry may cure it: the connection, not the events, is at fault.
func checkRetryable(t *testing.T, what string, err error, n int) {
	t.Helper()
	var be *sinks.BatchError
	switch {
	case err == nil:
		t.Errorf("Write %s returned nil: it reported as delivered events that could not reach the destination", what)
	case sinks.IsPermanent(err):
		t.Errorf("Write %s = %v, marked permanent: a lost connection is cured by a retry, so the events must not be dropped", what, err)
	case errors.As(err, &be):
		if bad := checkBatchError(be, n); bad != "" {
			t.Errorf("Write %s returned a BatchError that %s", what, bad)
		}
		for _, f := range be.Failed {
			if sinks.IsPermanent(f.Err) {
				t.Errorf("Write %s: event %d failed permanently (%v); a retry may cure a lost connection", what, f.Index, f.Err)
			}
		}
	}
}

// testCutThenRestored: through a cut connection Write fails and claims no
// event delivered, with an error a retry may cure; once the connection is
// back, the retried batch is delivered, after what came before it and
// before what follows.
func testCutThenRestored(t *testing.T, s suite) {
	sink, p := s.proxiedSink(t)
	before := s.events(5, "before-cut")
	s.write(t, sink, before)

	p.cut()
	during := s.events(10, "cut")
	_, err := s.writeWithin(t, sink, during, faultWrite)
	checkRetryable(t, "through a cut connection", err, len(during))
	var be *sinks.BatchError
	if errors.As(err, &be) && len(be.Failed) < len(during) {
		t.Errorf("Write through a cut connection counted %d of %d events delivered (a BatchError lists only %d): none could reach the destination",
			len(during)-len(be.Failed), len(during), len(be.Failed))
	}

	s.recovers(t, sink, p, before, during)
}

// testFrozenGivesUp: when the destination stops answering, Write gives up
// by its context's deadline with an error a retry may cure; once the
// connection is back, the retried batch is delivered (perhaps twice, if the
// frozen attempt arrived after all).
func testFrozenGivesUp(t *testing.T, s suite) {
	sink, p := s.proxiedSink(t)
	before := s.events(5, "before-freeze")
	s.write(t, sink, before)

	p.freeze()
	const deadline = 500 * time.Millisecond
	frozen := s.events(10, "frozen")
	took, err := s.writeWithin(t, sink, frozen, deadline)
	t.Logf("Write through a frozen connection returned after %v with a %v deadline: %v", took.Round(time.Millisecond), deadline, err)
	checkRetryable(t, "through a frozen connection", err, len(frozen))

	s.recovers(t, sink, p, before, frozen)
}

// recovers restores the connection, retries broken as the host does, writes
// a batch after it, and checks that the destination holds before, broken and
// that batch, each event at least once, in order; then closes the sink.
func (s suite) recovers(t *testing.T, sink sinks.Sink, p *Proxy, before, broken []*events.Event) {
	t.Helper()
	p.restore()
	s.deliver(t, sink, broken)
	after := s.events(5, "after-fault")
	s.write(t, sink, after)
	s.expectAtLeastOnce(t, sink, slices.Concat(before, broken, after), true)
	s.close(t, sink)
}

// partialBudgets are how many bytes of the server's replies get through
// before each cut of testPartialBatch: a few replies, then more.
var partialBudgets = []int{64, 1024}

// testPartialBatch cuts the connection in the middle of the destination's
// replies to a large batch, so that a driver that can tell events apart
// reports some delivered and the rest not. Whatever Write returns must be
// true: the events a BatchError does not list have arrived, its indexes
// are positions in the batch of that Write, and once the listed events are
// re-sent as a batch of their own (whose BatchError, if any, refers to that
// batch) every event has arrived.
func testPartialBatch(t *testing.T, s suite) {
	sink, p := s.proxiedSink(t)
	warm := s.events(5, "before-partial")
	s.write(t, sink, warm) // connected, handshakes done: the budget counts replies
	written := slices.Clone(warm)
	for round, budget := range partialBudgets {
		batch := s.events(500, "partial-"+string(rune('a'+round)))
		written = append(written, batch...)
		p.cutAfter(budget)
		_, err := s.writeWithin(t, sink, batch, faultWrite)
		p.restore()
		pending := batch
		var be *sinks.BatchError
		switch {
		case err == nil:
			t.Logf("cut after %d bytes of replies: Write returned nil (the replies fit)", budget)
			pending = nil
		case sinks.IsPermanent(err):
			t.Fatalf("cut after %d bytes of replies: Write = %v, marked permanent; a lost connection is cured by a retry", budget, err)
		case errors.As(err, &be):
			if bad := checkBatchError(be, len(batch)); bad != "" {
				t.Fatalf("cut after %d bytes of replies: the BatchError %s", budget, bad)
			}
			pending = pending[:0:0]
			failed := map[int]bool{}
			for _, f := range be.Failed {
				failed[f.Index] = true
				pending = append(pending, batch[f.Index])
			}
			var delivered []*events.Event
			for i, ev := range batch {
				if !failed[i] {
					delivered = append(delivered, ev)
				}
			}
			t.Logf("cut after %d bytes of replies: a BatchError lists %d of %d events", budget, len(be.Failed), len(batch))
			s.expectAtLeastOnceAmong(t, sink, delivered, written)
		default:
			t.Logf("cut after %d bytes of replies: Write failed as a whole: %v", budget, err)
		}
		if len(pending) > 0 {
			s.deliver(t, sink, pending)
		}
	}
	s.expectAtLeastOnce(t, sink, written, false)
	s.close(t, sink)
}

// expectAtLeastOnceAmong checks that the destination has received every
// event of want, among copies of events of written.
func (s suite) expectAtLeastOnceAmong(t *testing.T, sink sinks.Sink, want, written []*events.Event) {
	t.Helper()
	ctx, cancel := s.context(t)
	defer cancel()
	check := func(got []events.Event) (string, int) {
		if d := stranger(written, got, s.h.Features); d != "" {
			return d, 0
		}
		return missing(want, got, s.h.Features)
	}
	got := s.h.Received(ctx, t, sink, len(want))
	d, more := check(got)
	for d != "" && more > 0 && ctx.Err() == nil {
		got = s.h.Received(ctx, t, sink, len(got)+more)
		d, more = check(got)
	}
	if d != "" {
		t.Errorf("the events a BatchError did not list count as delivered, but %s", d)
	}
}
