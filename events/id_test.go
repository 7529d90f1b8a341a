package events_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/streamll/streamll-go/events"
)

const urlSafe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// TestNewID draws a million ids from 8 goroutines and checks their length,
// their alphabet, that no two are equal, and that every position takes every
// letter of the alphabet (a stuck bit would show there).
func TestNewID(t *testing.T) {
	const workers, perWorker = 8, 125_000
	batches := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range batches {
		wg.Go(func() {
			ids := make([]string, perWorker)
			for i := range ids {
				ids[i] = events.NewID()
			}
			batches[w] = ids
		})
	}
	wg.Wait()

	seen := make(map[[events.IDLength]byte]struct{}, workers*perWorker)
	var letters [events.IDLength][256]bool
	for _, ids := range batches {
		for _, id := range ids {
			if len(id) != events.IDLength {
				t.Fatalf("NewID() = %q, want %d characters", id, events.IDLength)
			}
			var key [events.IDLength]byte
			for i := range key {
				if !strings.ContainsRune(urlSafe, rune(id[i])) {
					t.Fatalf("NewID() = %q has %q outside the URL-safe alphabet", id, id[i])
				}
				key[i] = id[i]
				letters[i][id[i]] = true
			}
			if _, dup := seen[key]; dup {
				t.Fatalf("NewID() returned %q twice", id)
			}
			seen[key] = struct{}{}
		}
	}
	for pos := range letters {
		for _, c := range []byte(urlSafe) {
			if !letters[pos][c] {
				t.Errorf("position %d never took %q in %d ids", pos, c, len(seen))
			}
		}
	}
}

func TestPutIDDoesNotAllocate(t *testing.T) {
	var b [events.IDLength]byte
	if allocs := testing.AllocsPerRun(1000, func() { events.PutID(&b) }); allocs != 0 {
		t.Errorf("PutID allocates %v times, want 0", allocs)
	}
}

// idSink keeps BenchmarkNewID's result alive, so the string is really made.
var idSink string

func BenchmarkNewID(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		idSink = events.NewID()
	}
}

func BenchmarkPutID(b *testing.B) {
	b.ReportAllocs()
	var id [events.IDLength]byte
	for b.Loop() {
		events.PutID(&id)
	}
}
