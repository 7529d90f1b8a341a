//go:build faults

package rabbitmqsink_test

// Tests that control the broker with rabbitmqctl: built with the "faults" tag
// only, and run alone by .ci/run's fault step.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// TestBrokerClosesConnection closes the sink's connection from the broker
// side (rabbitmqctl close_connection) in the middle of a stream. Failed
// events are retried as the host would, honouring BatchError; every event
// must arrive at least once. Duplicates (a confirm lost with the
// connection) are allowed and counted.
func TestBrokerClosesConnection(t *testing.T) {
	servicetest.RequireRabbitmqctl(t)
	url := servicetest.RabbitMQURL(t)
	exchange := servicetest.Name(t, "x")
	connName := servicetest.Name(t, "conn")
	q := bindQueue(t, url, queueSpec{exchange: exchange})
	s := newSink(t, rabbitmqsink.Config{URL: url, Exchange: exchange, ConnectionName: connName})

	const size, maxBatches, batchesAfterClose = 100, 2000, 5
	started := make(chan struct{})
	closed := make(chan struct{})
	type report struct {
		written      []string // event ids, in order
		failedWrites int
		err          error
	}
	done := make(chan report, 1)
	go func() {
		var r report
		defer func() { done <- r }()
		after := -1 // batches written since the close
		for b := 0; b < maxBatches && after < batchesAfterClose; b++ {
			batch := sinktest.MakeEvents(size, fmt.Sprintf("b%04d", b))
			for _, ev := range batch {
				r.written = append(r.written, ev.EventID)
			}
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			failed, err := sinktest.Deliver(ctx, s, batch, sinktest.Retry{WriteTimeout: waitTimeout})
			cancel()
			r.failedWrites += failed
			if err != nil {
				r.err = fmt.Errorf("batch %d: %w", b, err)
				return
			}
			if b == 10 {
				close(started)
			}
			select {
			case <-closed:
				after++
			default:
			}
		}
	}()

	select {
	case <-started:
	case r := <-done:
		t.Fatalf("publisher stopped before the close: %v", r.err)
	}
	pids := servicetest.ConnectionPIDs(t, connName)
	if len(pids) != 1 {
		t.Fatalf("found %d connections named %s, want 1", len(pids), connName)
	}
	servicetest.Rabbitmqctl(t, "close_connection", pids[0], "streamll-go test: broker-side close")
	close(closed)
	var r report
	select {
	case r = <-done:
	case <-time.After(2 * waitTimeout):
		t.Fatal("publisher did not finish")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if now := servicetest.ConnectionPIDs(t, connName); len(now) != 1 || now[0] == pids[0] {
		t.Errorf("connections after the close: %v, want one new one (old %s)", now, pids[0])
	}

	counts := waitUnique(t, q, r.written)
	dups := 0
	for _, id := range r.written {
		if counts[id] == 0 {
			t.Errorf("event %s never arrived", id)
		}
		dups += max(0, counts[id]-1)
	}
	t.Logf("%d events in %d batches; %d failed writes, %d duplicates received",
		len(r.written), len(r.written)/size, r.failedWrites, dups)
}

// waitUnique consumes until every id in want has arrived (or the wait times
// out) and returns how many times each id arrived.
func waitUnique(t *testing.T, q *testQueue, want []string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	counts := make(map[string]int, len(want))
	for _, id := range want {
		counts[id] = 0
	}
	missing, seen := len(counts), 0
	for missing > 0 {
		got := q.wait(ctx, seen+missing) // at least the missing ones must come
		if len(got) == seen {
			break // timed out
		}
		for _, d := range got[seen:] {
			if n, ok := counts[d.MessageId]; ok && n == 0 {
				missing--
			}
			counts[d.MessageId]++
		}
		seen = len(got)
	}
	return counts
}
