package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/goleak"

	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// topology returns unique exchange and queue names on the test broker, and
// deletes both after the test.
func topology(t *testing.T) (url, exchange, queue string) {
	t.Helper()
	url = servicetest.RabbitMQURL(t)
	exchange = servicetest.Name(t, "financial_ai_audit")
	queue = servicetest.Name(t, "loan_audit_trail")
	t.Cleanup(func() {
		conn, err := amqp.Dial(url)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer conn.Close()
		ch, err := conn.Channel()
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		if _, err := ch.QueueDelete(queue, false, false, false); err != nil {
			t.Errorf("deleting queue %s: %v", queue, err)
		}
		if err := ch.ExchangeDelete(exchange, false, false); err != nil {
			t.Errorf("deleting exchange %s: %v", exchange, err)
		}
	})
	return url, exchange, queue
}

// TestAuditLive is the seed's flow: the audit consumer runs while the
// producer decides applications; every event must be stored exactly once.
func TestAuditLive(t *testing.T) {
	url, exchange, queue := topology(t)
	file := filepath.Join(t.TempDir(), "trail.jsonl")
	const applications = 8

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	auditCtx, stopAudit := context.WithCancel(ctx)
	defer stopAudit()
	ready := make(chan struct{})
	out := &syncBuffer{}
	type result struct {
		stored int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		n, err := runAudit(auditCtx, auditConfig{RabbitMQURL: url, Exchange: exchange, Queue: queue, File: file},
			out, func() { close(ready) })
		done <- result{n, err}
	}()
	select {
	case <-ready:
	case r := <-done:
		t.Fatalf("audit stopped before consuming: %v", r.err)
	case <-ctx.Done():
		t.Fatal("audit not ready")
	}

	var prodOut bytes.Buffer
	rep, err := runProducer(ctx, producerConfig{RabbitMQURL: url, Exchange: exchange, Queue: queue,
		Applications: applications}, &prodOut)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &prodOut)
	}

	// Wait for the consumer to store what the broker confirmed, then stop it.
	for lines := 0; lines < int(rep.Delivered); lines = countLines(t, file) {
		select {
		case r := <-done:
			t.Fatalf("audit stopped early after %d events: %v", r.stored, r.err)
		case <-ctx.Done():
			t.Fatalf("audit stored %d of %d events", lines, rep.Delivered)
		case <-out.changed():
		}
	}
	stopAudit()
	r := <-done
	if r.err != nil {
		t.Fatalf("audit: %v", r.err)
	}
	if uint64(r.stored) != rep.Delivered {
		t.Errorf("audit stored %d events, the producer delivered %d", r.stored, rep.Delivered)
	}
	checkTrail(t, file, rep, applications)
	checkQueueEmpty(t, url, queue)
}

// TestAuditAfterProducer: the producer runs while no consumer does; the
// durable queue keeps its events until the audit consumer starts, which stops
// by itself after -max-events.
func TestAuditAfterProducer(t *testing.T) {
	url, exchange, queue := topology(t)
	file := filepath.Join(t.TempDir(), "trail.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	var prodOut bytes.Buffer
	rep, err := runProducer(ctx, producerConfig{RabbitMQURL: url, Exchange: exchange, Queue: queue,
		Applications: 5}, &prodOut)
	if err != nil {
		t.Fatalf("producer: %v\n%s", err, &prodOut)
	}
	var out bytes.Buffer
	stored, err := runAudit(ctx, auditConfig{RabbitMQURL: url, Exchange: exchange, Queue: queue, File: file,
		Prefetch: 7, MaxEvents: int(rep.Delivered)}, &out, nil)
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	if uint64(stored) != rep.Delivered {
		t.Errorf("audit stored %d events, the producer delivered %d", stored, rep.Delivered)
	}
	if got := strings.Count(out.String(), "stored loan."); got != stored {
		t.Errorf("audit printed %d stored lines for %d events", got, stored)
	}
	checkTrail(t, file, rep, 5)
	checkQueueEmpty(t, url, queue)
}

// TestAuditQueueDeleted: when the queue goes away under the consumer, the
// broker cancels it, and the audit consumer stops with an error saying so.
func TestAuditQueueDeleted(t *testing.T) {
	url, exchange, queue := topology(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := runAudit(ctx, auditConfig{RabbitMQURL: url, Exchange: exchange, Queue: queue,
			File: filepath.Join(t.TempDir(), "trail.jsonl")}, io.Discard, func() { close(ready) })
		done <- err
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("audit stopped before consuming: %v", err)
	}

	if _, err := channel(t, url).QueueDelete(queue, false, false, false); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cancelled the consumer") {
			t.Errorf("err = %v, want the consumer cancelled", err)
		}
	case <-ctx.Done():
		t.Fatal("the audit consumer did not stop when its queue was deleted")
	}
}

// checkTrail reads the audit file and checks that it holds every delivered
// event once, with its routing key and tags.
func checkTrail(t *testing.T, file string, rep producerReport, applications int) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := map[string]bool{}
	kinds := map[string]int{} // routing key -> events
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec auditRecord
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %d: %v", len(ids)+1, err)
		}
		ev, err := events.Unmarshal(rec.Event)
		if err != nil {
			t.Fatalf("line %d: %v", len(ids)+1, err)
		}
		if ids[ev.EventID] {
			t.Errorf("event %s stored twice", ev.EventID)
		}
		ids[ev.EventID] = true
		if want := "loan." + ev.Operation + "." + string(ev.EventType); rec.RoutingKey != want {
			t.Errorf("event %s: routing key %q, want %q", ev.EventID, rec.RoutingKey, want)
		}
		if ev.Tags["department"] != "lending" || ev.Tags["risk_level"] != "high" ||
			!strings.HasPrefix(ev.Tags["loan_id"], "L-2026-") || ev.Tags["officer_id"] == "" {
			t.Errorf("event %s: tags %v", ev.EventID, ev.Tags)
		}
		if rec.Redelivered || rec.ReceivedAt.IsZero() {
			t.Errorf("event %s: redelivered=%v received_at=%v", ev.EventID, rec.Redelivered, rec.ReceivedAt)
		}
		kinds[rec.RoutingKey]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if uint64(len(ids)) != rep.Delivered {
		t.Errorf("the trail holds %d events, the producer delivered %d", len(ids), rep.Delivered)
	}
	want := map[string]int{
		"loan.loan_decision.start":    applications,
		"loan.loan_decision.end":      rep.Approved + rep.Declined,
		"loan.loan_decision.decision": rep.Approved + rep.Declined,
		"loan.loan_decision.error":    rep.Failed,
		"loan.credit_check.error":     rep.Failed,
		"loan.risk_assessment.end":    rep.Approved + rep.Declined,
	}
	for key, n := range want {
		if kinds[key] != n {
			t.Errorf("%s: %d events, want %d (all: %v)", key, kinds[key], n, kinds)
		}
	}
	if rep.Failed == 0 || rep.Approved == 0 || rep.Declined == 0 {
		t.Errorf("the sample should approve, decline and fail some applications: %+v", rep)
	}
}

// channel opens a channel to the broker, closed with its connection after the
// test.
func channel(t *testing.T, url string) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func checkQueueEmpty(t *testing.T, url, queue string) {
	t.Helper()
	q, err := channel(t, url).QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if q.Messages != 0 {
		t.Errorf("%d messages left in %s", q.Messages, queue)
	}
}

func countLines(t *testing.T, file string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no subcommand", nil, "usage: compliance-audit"},
		{"unknown subcommand", []string{"consume"}, `unknown subcommand "consume"`},
		{"unknown flag", []string{"audit", "-nope"}, "flag provided but not defined: -nope"},
		{"unreachable broker", []string{"audit", "-file", os.DevNull}, "connecting to amqp://guest:xxxxx@127.0.0.1:1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(string) string { return "amqp://guest:s3cret@127.0.0.1:1/" }
			err := command(context.Background(), tt.args, getenv, &bytes.Buffer{}, &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

// syncBuffer is the audit consumer's output in a test; changed is signalled
// after every write, so a test can re-check a condition without polling.
type syncBuffer struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	notify chan struct{}
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notify == nil {
		b.notify = make(chan struct{}, 1)
	}
	select {
	case b.notify <- struct{}{}:
	default:
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) changed() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.notify == nil {
		b.notify = make(chan struct{}, 1)
	}
	return b.notify
}
