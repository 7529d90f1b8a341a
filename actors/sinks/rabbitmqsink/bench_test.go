package rabbitmqsink_test

import (
	"context"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/streamll/streamll-go/actors/sinks/rabbitmqsink"
	"github.com/streamll/streamll-go/events"
	"github.com/streamll/streamll-go/internal/servicetest"
)

// benchBatch is the batch size of BenchmarkSinkWrite.
const benchBatch = 500

// benchEvents returns n token events of about 400 bytes on the wire.
func benchEvents(n int) []*events.Event {
	base := time.Now().UTC()
	evs := make([]*events.Event, n)
	for i := range evs {
		evs[i] = &events.Event{
			EventID:     events.NewID(),
			ExecutionID: events.NewID(),
			ParentID:    events.NewID(),
			Timestamp:   base.Add(time.Duration(i) * time.Microsecond),
			ModuleName:  "LoanDecisionEngine",
			MethodName:  "forward",
			EventType:   events.TypeToken,
			Operation:   "llm_call",
			Data: map[string]any{
				events.KeyToken:             "The applicant's debt-to-income ratio is within policy limits, ",
				events.KeyTokenIndex:        i,
				events.KeyField:             "rationale",
				events.KeyGenAIRequestModel: "gpt-4o-mini",
				events.KeyGenAISystem:       "openai",
			},
			Tags: map[string]string{"department": "lending", "risk_level": "high", "customer_id": "c-42"},
		}
	}
	return evs
}

// benchQueue declares a durable exchange bound to a durable queue that
// nobody consumes, so every persistent message is really stored; both are
// deleted afterwards.
func benchQueue(b *testing.B) (url, exchange string) {
	url = servicetest.RabbitMQURL(b)
	exchange = servicetest.Name(b, "bench")
	bindQueue(b, url, queueSpec{exchange: exchange, noConsume: true})
	return url, exchange
}

// BenchmarkSinkWrite publishes b.N persistent ~400-byte events with confirms
// through Write, in batches of 500, as the host would.
func BenchmarkSinkWrite(b *testing.B) {
	url, exchange := benchQueue(b)
	s := newSink(b, rabbitmqsink.Config{URL: url, Exchange: exchange})
	evs := benchEvents(benchBatch)
	b.Logf("event size on the wire: %d bytes", len(events.AppendJSON(nil, evs[0])))
	ctx := context.Background()
	if err := s.Write(ctx, evs[:1]); err != nil { // connect outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for sent := 0; sent < b.N; sent += benchBatch {
		if err := s.Write(ctx, evs[:min(benchBatch, b.N-sent)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkRawConfirmWindow100 and BenchmarkRawConfirmWindow1000 publish the
// same messages (body, properties, headers) with amqp091-go alone, keeping
// 100 or 1000 unconfirmed: the bar the sink is measured against.
func BenchmarkRawConfirmWindow100(b *testing.B)  { benchmarkRaw(b, 100, 0) }
func BenchmarkRawConfirmWindow1000(b *testing.B) { benchmarkRaw(b, 1000, 0) }

// BenchmarkRawBatch500 is raw amqp091-go publishing in batches of 500 and
// waiting for each batch's confirms before the next, as the Sink contract
// makes every Write do: the most any driver can reach at that batch size.
func BenchmarkRawBatch500(b *testing.B) { benchmarkRaw(b, 1000, benchBatch) }

// benchmarkRaw keeps at most window messages unconfirmed, and with batch > 0
// also waits for every confirm after each batch.
func benchmarkRaw(b *testing.B, window, batch int) {
	url, exchange := benchQueue(b)
	_, ch := adminChannel(b, url)
	if err := ch.Confirm(false); err != nil {
		b.Fatal(err)
	}
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, window))
	evs := benchEvents(benchBatch)
	msgs := make([]amqp.Publishing, len(evs))
	for i, ev := range evs {
		msgs[i] = amqp.Publishing{
			Headers: amqp.Table{
				"event_type": string(ev.EventType), "operation": ev.Operation, "module_name": ev.ModuleName,
				"method_name": ev.MethodName, "execution_id": ev.ExecutionID, "schema_version": events.SchemaVersion,
			},
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			MessageId:    ev.EventID,
			Timestamp:    ev.Timestamp,
			Type:         string(ev.EventType),
			AppId:        "streamll-go",
			Body:         events.AppendJSON(nil, ev),
		}
	}
	key := "streamll." + strings.ToLower(string(evs[0].EventType))
	ctx := context.Background()
	inFlight := 0
	await := func() {
		if c := <-confirms; !c.Ack {
			b.Fatalf("message %d nacked", c.DeliveryTag)
		}
		inFlight--
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if inFlight == window {
			await()
		}
		if batch > 0 && i%batch == 0 {
			for inFlight > 0 {
				await()
			}
		}
		if err := ch.PublishWithContext(ctx, exchange, key, false, false, msgs[i%len(msgs)]); err != nil {
			b.Fatal(err)
		}
		inFlight++
	}
	for inFlight > 0 {
		await()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
