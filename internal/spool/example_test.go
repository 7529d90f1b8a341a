package spool_test

import (
	"fmt"
	"os"

	"github.com/streamll/streamll-go/internal/spool"
)

// A host appends what it accepts, delivers from the spool in order, and
// acknowledges what went out, including a partly delivered batch. After a
// restart, what was not acknowledged comes back first.
func Example() {
	dir, _ := os.MkdirTemp("", "spool-example")
	defer os.RemoveAll(dir)

	s, err := spool.Open(dir, spool.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Append([]byte(`{"event_id":"a"}`), []byte(`{"event_id":"b"}`), []byte(`{"event_id":"c"}`))

	batch, _ := s.Next(nil, 100, 1<<20)
	// The driver delivered a and c; b is to be retried.
	s.Ack(batch[0].Seq, batch[2].Seq)
	s.Close() // or a crash: then a and c may come again too

	s, _ = spool.Open(dir, spool.Options{})
	defer s.Close()
	again, _ := s.Next(nil, 100, 1<<20)
	for _, r := range again {
		fmt.Println(r.Seq, string(r.Payload))
	}
	fmt.Println("left:", s.Stats().Records)
	// Output:
	// 2 {"event_id":"b"}
	// left: 1
}
