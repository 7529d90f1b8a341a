package redissink

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/streamll/streamll-go/actors/sinks"
	"github.com/streamll/streamll-go/actors/sinks/sinktest"
)

// TestWriteOutcome scripts the server's replies to a batch of six XADDs and
// checks what Write makes of them: which events it reports undelivered, and
// whether each can be retried.
func TestWriteOutcome(t *testing.T) {
	const (
		wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
		loading   = "-LOADING Redis is loading the dataset in memory\r\n"
		hangUp    = ""
	)
	ok := func(n int) string { return bulk(fmt.Sprintf("1-%d", n)) }
	tests := []struct {
		name  string
		reply func(n int) string
		// batchError: Write returns a *sinks.BatchError with these indexes;
		// nil with wholeBatch false: Write returns nil.
		batchError []int
		wholeBatch bool // Write returns an error for the whole batch
		permanent  bool // every reported error is permanent (else none is)
	}{
		{name: "all appended", reply: ok},
		{
			name: "some replies are WRONGTYPE",
			reply: func(n int) string {
				if n == 1 || n == 4 {
					return wrongType
				}
				return ok(n)
			},
			batchError: []int{1, 4}, permanent: true,
		},
		{
			name:       "every reply is WRONGTYPE",
			reply:      func(int) string { return wrongType },
			batchError: []int{0, 1, 2, 3, 4, 5}, permanent: true,
		},
		{
			name: "one reply is LOADING",
			reply: func(n int) string {
				if n == 2 {
					return loading
				}
				return ok(n)
			},
			batchError: []int{2},
		},
		{
			name: "connection breaks after three replies",
			reply: func(n int) string {
				if n >= 3 {
					return hangUp
				}
				return ok(n)
			},
			batchError: []int{3, 4, 5},
		},
		{
			name:       "connection breaks before any reply",
			reply:      func(int) string { return hangUp },
			wholeBatch: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeRedis(t, tt.reply)
			s, err := New(Config{Client: f.client(t), StreamKey: "outcome"})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(t.Context())
			err = s.Write(t.Context(), sinktest.MakeEvents(6, "outcome"))

			var be *sinks.BatchError
			switch {
			case tt.batchError == nil && !tt.wholeBatch:
				if err != nil {
					t.Fatalf("Write = %v, want nil", err)
				}
				return
			case tt.wholeBatch:
				if err == nil || errors.As(err, &be) {
					t.Fatalf("Write = %#v, want an error for the whole batch", err)
				}
				checkPermanence(t, err, tt.permanent)
				return
			}
			if !errors.As(err, &be) {
				t.Fatalf("Write = %v, want a *sinks.BatchError", err)
			}
			var got []int
			for _, f := range be.Failed {
				got = append(got, f.Index)
				checkPermanence(t, f.Err, tt.permanent)
			}
			if !slices.Equal(got, tt.batchError) {
				t.Errorf("undelivered indexes = %v, want %v", got, tt.batchError)
			}
		})
	}
}

func checkPermanence(t *testing.T, err error, permanent bool) {
	t.Helper()
	if sinks.IsPermanent(err) != permanent {
		t.Errorf("IsPermanent(%v) = %v, want %v", err, !permanent, permanent)
	}
}
