package spool

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

var (
	crashKills = flag.Int("spool.kills", 20, "lives of the crash test's writer, each ended by SIGKILL")
	crashSeed  = flag.Uint64("spool.seed", 0, "the crash test's random seed (0: from the clock)")
)

type ri struct{ r, i int }

// TestCrashKill9 kills a writer process with SIGKILL at random moments, many
// times in a row, on the same spool. Between two lives the parent recovers
// the spool itself and checks it: every record the writer said was durable
// and that nobody may have acknowledged is there, records are in the order
// they were appended, none is corrupt, and none that the parent
// acknowledged (and closed) comes back. Then it acknowledges some records,
// with holes, so that segments get reclaimed and holes cross restarts.
func TestCrashKill9(t *testing.T) {
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -spool.seed=%d), %d kills", seed, seed, *crashKills)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()

	durable := map[int]int{}     // run -> last durable index
	maybeAcked := map[ri]bool{}  // the writer may have acknowledged it
	parentAcked := map[ri]bool{} // the parent acknowledged it and closed
	checked, torn := 0, 0

	for run := 0; run < *crashKills; run++ {
		policy := []SyncPolicy{SyncPeriodic, SyncEveryAppend, SyncNever}[run%3]
		lines := lifeOfWriter(t, dir, run, policy, seed, rng)
		for _, l := range lines {
			f := strings.Fields(l)
			if len(f) != 3 {
				continue // a line cut by the kill is never complete
			}
			r, _ := strconv.Atoi(f[1])
			i, _ := strconv.Atoi(f[2])
			switch f[0] {
			case "d":
				durable[r] = max(durable[r], i)
			case "k":
				maybeAcked[ri{r, i}] = true
			}
		}

		s, err := Open(dir, writerOptions(policy))
		if err != nil {
			t.Fatalf("life %d: reopen: %v", run, err)
		}
		st := s.Stats()
		if st.CorruptRecords != 0 || st.CorruptBytes != 0 {
			t.Fatalf("life %d: corruption after a kill: %+v", run, st)
		}
		if st.TornBytes > 0 {
			torn++
		}
		var all []Record
		for {
			n := len(all)
			all, err = s.Next(all, 1000, 0)
			if err != nil {
				t.Fatalf("life %d: Next: %v", run, err)
			}
			if len(all) == n {
				break
			}
		}
		present := map[ri]uint64{}
		last := ri{-1, -1}
		for _, rec := range all {
			r, i, ok := parseCrashPayload(rec.Payload)
			if !ok {
				t.Fatalf("life %d: record %d has a bad payload %q", run, rec.Seq, rec.Payload)
			}
			k := ri{r, i}
			if r < last.r || r == last.r && i <= last.i {
				t.Fatalf("life %d: record %v (seq %d) after %v: out of order", run, k, rec.Seq, last)
			}
			if parentAcked[k] {
				t.Fatalf("life %d: record %v came back after the parent acknowledged it and closed", run, k)
			}
			last = k
			present[k] = rec.Seq
		}
		for r, upTo := range durable {
			for i := 0; i <= upTo; i++ {
				k := ri{r, i}
				if _, ok := present[k]; !ok && !maybeAcked[k] && !parentAcked[k] {
					t.Fatalf("life %d: durable record %v is missing (policy %v)", run, k, policy)
				}
				checked++
			}
		}

		// Acknowledge every record of the runs before the last two, and a
		// third of the others.
		for _, rec := range all {
			r, i, _ := parseCrashPayload(rec.Payload)
			if r < run-1 || rng.IntN(3) == 0 {
				s.Ack(rec.Seq)
				parentAcked[ri{r, i}] = true
			}
		}
		if err := s.Close(); err != nil {
			t.Fatalf("life %d: Close: %v", run, err)
		}
	}
	t.Logf("%d durability checks over %d lives, %d torn tails truncated", checked, *crashKills, torn)
}

// lifeOfWriter runs one writer life: it starts the child, lets it append
// for a random while (sometimes killing it before it made any progress, to
// hit Open), SIGKILLs it, and returns the lines it printed.
func lifeOfWriter(t *testing.T, dir string, run int, policy SyncPolicy, seed uint64, rng *rand.Rand) []string {
	t.Helper()
	cmd := child(t, "writer", dir, strconv.Itoa(run), strconv.Itoa(int(policy)), fmt.Sprint(seed))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	progress := make(chan struct{})
	done := make(chan []string)
	go func() {
		var lines []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines = append(lines, sc.Text())
			if len(lines) == 1 {
				close(progress)
			}
		}
		io.Copy(io.Discard, stdout)
		done <- lines
	}()

	if run%5 == 4 {
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond) // the kill may hit Open
	} else {
		select {
		case <-progress:
		case <-time.After(30 * time.Second):
			t.Errorf("life %d: the writer made no progress in 30s", run)
		}
		time.Sleep(time.Duration(rng.IntN(40)) * time.Millisecond) // a random moment
	}
	cmd.Process.Signal(syscall.SIGKILL)
	lines := <-done
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("life %d: the writer ended by itself (%v) instead of being killed", run, err)
	}
	return lines
}
