package redissink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/redissink"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
	"github.com/streamll/streamll-go/events"
)

// TestWireFormatGolden reads the stream back as a Python consumer would (a
// plain XRANGE and a JSON decoder) and checks that each entry's one field
// holds exactly the wire-format encoding of the event written.
func TestWireFormatGolden(t *testing.T) {
	tests := []struct {
		name, field string
	}{
		{"default field", ""},
		{"field of the last Python streamll", "message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, url := testRedis(t)
			key := streamKey(t, rdb)
			s := newSink(t, redissink.Config{URL: url, StreamKey: key, Field: tt.field})
			batch := sinktest.MakeEvents(16, "golden")
			if err := write(t, s, batch); err != nil {
				t.Fatal(err)
			}
			msgs, err := rdb.XRange(t.Context(), key, "-", "+").Result()
			if err != nil {
				t.Fatal(err)
			}
			if len(msgs) != len(batch) {
				t.Fatalf("XRANGE returned %d entries, want %d", len(msgs), len(batch))
			}
			field := cmpOr(tt.field, "event")
			for i, m := range msgs {
				if len(m.Values) != 1 {
					t.Errorf("entry %d has fields %v, want only %q", i, m.Values, field)
				}
				got, _ := m.Values[field].(string)
				if want := events.AppendJSON(nil, batch[i]); !bytes.Equal([]byte(got), want) {
					t.Errorf("entry %d:\n got %s\nwant %s", i, got, want)
				}
				var wire map[string]any
				if err := json.Unmarshal([]byte(got), &wire); err != nil {
					t.Fatalf("entry %d is not JSON: %v", i, err)
				}
				for _, obj := range []string{"data", "tags"} {
					if _, ok := wire[obj].(map[string]any); !ok {
						t.Errorf("entry %d: %q is %#v, want a JSON object", i, obj, wire[obj])
					}
				}
				if wire["event_id"] != batch[i].EventID {
					t.Errorf("entry %d: event_id %v, want %s", i, wire["event_id"], batch[i].EventID)
				}
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestMaxLenTrims writes far more than MaxLen entries; approximate trimming
// keeps at least MaxLen and at most about one stream node more, and the
// newest entries are the ones kept.
func TestMaxLenTrims(t *testing.T) {
	const maxLen, total, batchSize = 10, 1000, 100
	rdb, url := testRedis(t)
	key := streamKey(t, rdb)
	s := newSink(t, redissink.Config{URL: url, StreamKey: key, MaxLen: maxLen})
	evs := sinktest.MakeEvents(total, "maxlen")
	for i := 0; i < total; i += batchSize {
		if err := write(t, s, evs[i:i+batchSize]); err != nil {
			t.Fatal(err)
		}
	}
	nodeEntries := int64(100) // Redis's default stream-node-max-entries
	if cfg, err := rdb.ConfigGet(t.Context(), "stream-node-max-entries").Result(); err == nil {
		if v, ok := cfg["stream-node-max-entries"]; ok {
			if n, err := parseInt(v); err == nil && n > 0 {
				nodeEntries = n
			}
		}
	}
	n, err := rdb.XLen(t.Context(), key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if n < maxLen || n > maxLen+nodeEntries {
		t.Fatalf("XLEN = %d after %d writes with MaxLen %d, want between %d and %d", n, total, maxLen, maxLen, maxLen+nodeEntries)
	}
	got := decode(t, mustRange(t, rdb, key), "event")
	if !slices.Equal(ids(got), ids(evs[total-len(got):])) {
		t.Errorf("the stream keeps %d entries that are not the newest ones", len(got))
	}
}

func parseInt(s string) (int64, error) {
	var n int64
	err := json.Unmarshal([]byte(s), &n)
	return n, err
}

func mustRange(t *testing.T, rdb redis.UniversalClient, key string) []redis.XMessage {
	t.Helper()
	msgs, err := rdb.XRange(t.Context(), key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// TestWrongTypeIsPermanent writes to a key that holds a string: every event
// fails permanently, and the sink still writes to other streams.
func TestWrongTypeIsPermanent(t *testing.T) {
	rdb, url := testRedis(t)
	key := streamKey(t, rdb)
	if err := rdb.Set(t.Context(), key, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, redissink.Config{URL: url, StreamKey: key})
	batch := sinktest.MakeEvents(5, "wrongtype")
	err := write(t, s, batch)
	var be *sinks.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("Write = %v, want a *sinks.BatchError", err)
	}
	if !sinks.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false, want true", err)
	}
	if len(be.Failed) != len(batch) {
		t.Errorf("%d failures, want %d", len(be.Failed), len(batch))
	}
	for i, f := range be.Failed {
		if f.Index != i || !sinks.IsPermanent(f.Err) || !strings.Contains(f.Err.Error(), "WRONGTYPE") {
			t.Errorf("failure %d = {%d, %v}, want index %d, a permanent WRONGTYPE error", i, f.Index, f.Err, i)
		}
	}

	other := streamKey(t, rdb)
	s2 := newSink(t, redissink.Config{URL: url, StreamKey: other})
	if err := write(t, s2, batch); err != nil {
		t.Fatalf("Write to another stream: %v", err)
	}
	if got := readEvents(t, rdb, other, len(batch)); !slices.Equal(ids(got), ids(batch)) {
		t.Errorf("other stream holds %v, want %v", ids(got), ids(batch))
	}
}

// TestPartialFailure sends one pipeline whose events map, through a template,
// to a good stream and to a key of the wrong type: the BatchError lists exactly
// the events of the bad key, and the good ones are in their stream, once each.
func TestPartialFailure(t *testing.T) {
	rdb, url := testRedis(t)
	prefix := streamKey(t, rdb)
	good, bad := prefix+":good", prefix+":bad"
	deleteAtEnd(t, rdb, good, bad)
	if err := rdb.Set(t.Context(), bad, "a string", 0).Err(); err != nil {
		t.Fatal(err)
	}
	s := newSink(t, redissink.Config{URL: url, StreamKey: prefix + ":{tag:kind}"})

	batch := sinktest.MakeEvents(10, "partial")
	var wantFailed []int
	var wantGood []*events.Event
	for i, ev := range batch {
		ev.Tags = map[string]string{"kind": "good"}
		if i%3 == 1 {
			ev.Tags["kind"] = "bad"
			wantFailed = append(wantFailed, i)
		} else {
			wantGood = append(wantGood, ev)
		}
	}
	checkPermanentFailures(t, write(t, s, batch), wantFailed, bad)
	if got := readEvents(t, rdb, good, len(wantGood)); !slices.Equal(ids(got), ids(wantGood)) {
		t.Errorf("good stream holds %v, want %v once each, in order", ids(got), ids(wantGood))
	}
}

// TestTemplateShardsStreams: a tag template names one stream per customer,
// and each stream holds its customer's events in order.
func TestTemplateShardsStreams(t *testing.T) {
	rdb, url := testRedis(t)
	prefix := streamKey(t, rdb)
	s := newSink(t, redissink.Config{URL: url, StreamKey: prefix + ":{tag:customer_id}"})
	batch := sinktest.MakeEvents(40, "shard") // customer_id cycles c-0..c-4; some events have no tags
	want := map[string][]*events.Event{}
	for _, ev := range batch {
		id := ev.Tags["customer_id"]
		if id == "" {
			id = "unknown"
		}
		want[prefix+":"+id] = append(want[prefix+":"+id], ev)
	}
	for key := range want {
		deleteAtEnd(t, rdb, key)
	}
	if err := write(t, s, batch); err != nil {
		t.Fatal(err)
	}
	for key, evs := range want {
		if got := readEvents(t, rdb, key, len(evs)); !slices.Equal(ids(got), ids(evs)) {
			t.Errorf("stream %s holds %v, want %v", key, ids(got), ids(evs))
		}
	}
}

// TestAuthFailureIsPermanent authenticates as a user the server does not
// know: the batch fails permanently, and the password appears in no error.
func TestAuthFailureIsPermanent(t *testing.T) {
	rdb, url := testRedis(t)
	key := streamKey(t, rdb)
	const password = "s3cr3t-pa55"
	u := strings.Replace(url, "redis://", "redis://streamll-nobody:"+password+"@", 1)
	if !strings.Contains(u, password) {
		t.Skipf("REDIS_URL %q is not a plain redis:// URL", url)
	}
	s := newSink(t, redissink.Config{URL: u, StreamKey: key})
	err := write(t, s, sinktest.MakeEvents(3, "auth"))
	if err == nil {
		t.Fatal("Write as an unknown user succeeded")
	}
	if !sinks.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false, want true", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Errorf("the error shows the password: %v", err)
	}
	t.Logf("Write as an unknown user: %v", err)
}

// TestNewDoesNotConnect: New succeeds with no server listening, and the first
// Write reports a retryable error for the whole batch.
func TestNewDoesNotConnect(t *testing.T) {
	s := newSink(t, redissink.Config{URL: "redis://127.0.0.1:1", StreamKey: "nowhere"})
	err := write(t, s, sinktest.MakeEvents(2, "down"))
	var be *sinks.BatchError
	if err == nil || sinks.IsPermanent(err) || errors.As(err, &be) {
		t.Fatalf("Write with no server = %v, want a retryable error for the whole batch", err)
	}
}

func TestNameAndHostOptions(t *testing.T) {
	opts := sinks.Options{BufferSize: 123, Name: "dash"}
	s := newSink(t, redissink.Config{Options: opts, URL: "redis://127.0.0.1:1", StreamKey: "events:{tag:customer_id}"})
	if got, want := s.Name(), "redis:events:{tag:customer_id}"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	if got := s.HostOptions(); got.BufferSize != 123 || got.Name != "dash" {
		t.Errorf("HostOptions() = %+v, want the embedded options", got)
	}
	def := newSink(t, redissink.Config{})
	if got, want := def.Name(), "redis:streamll_events"; got != want {
		t.Errorf("default Name() = %q, want %q", got, want)
	}
	var _ sinks.Configured = s
	var _ sinks.Namer = s
}

// TestClientIsTheCallers: a sink given a client uses it and leaves it open.
func TestClientIsTheCallers(t *testing.T) {
	rdb, _ := testRedis(t)
	key := streamKey(t, rdb)
	s, err := redissink.New(redissink.Config{Client: rdb, StreamKey: key})
	if err != nil {
		t.Fatal(err)
	}
	batch := sinktest.MakeEvents(3, "client")
	if err := write(t, s, batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), batch); !errors.Is(err, sinks.ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Errorf("the caller's client after the sink's Close: %v", err)
	}
	if got := readEvents(t, rdb, key, len(batch)); !slices.Equal(ids(got), ids(batch)) {
		t.Errorf("stream holds %v, want %v", ids(got), ids(batch))
	}
}

// checkPermanentFailures fails t unless err is a *sinks.BatchError listing
// exactly the indexes want, each with a permanent error naming stream.
func checkPermanentFailures(t *testing.T, err error, want []int, stream string) {
	t.Helper()
	var be *sinks.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("Write = %v, want a *sinks.BatchError", err)
	}
	var failed []int
	for _, f := range be.Failed {
		failed = append(failed, f.Index)
		if !sinks.IsPermanent(f.Err) {
			t.Errorf("failure %d: %v is not permanent", f.Index, f.Err)
		}
		if !strings.Contains(f.Err.Error(), stream) {
			t.Errorf("failure %d: %v does not name the stream %s", f.Index, f.Err, stream)
		}
	}
	if !slices.Equal(failed, want) {
		t.Errorf("failed indexes %v, want %v", failed, want)
	}
}
