package spool

import (
	"bufio"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The tests that need a second process run this test binary again with
// childEnv set to "<mode> <args...>"; TestMain hands it to runChild.
const childEnv = "STREAMLL_SPOOL_TEST_CHILD"

// child starts this test binary as a child process in the given mode.
func child(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+strings.Join(args, " "))
	cmd.Stderr = os.Stderr
	return cmd
}

// Exit codes of a lock child.
const (
	childOpened = 0
	childLocked = 3
)

func runChild(spec string) int {
	args := strings.Fields(spec)
	switch args[0] {
	case "lock":
		s, err := Open(args[1], Options{})
		if errors.Is(err, ErrLocked) {
			fmt.Fprintln(os.Stderr, "child:", err)
			return childLocked
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 1
		}
		s.Close()
		return childOpened
	case "writer":
		return runWriter(args[1:])
	}
	fmt.Fprintln(os.Stderr, "child: unknown mode", args[0])
	return 1
}

// Crash test protocol. The writer child appends records for run r (one run
// a life) and prints, on stdout, one line per fact the parent's oracle
// needs:
//
//	d <r> <i>   every record of run r up to index i is durable (Sync or
//	            an Append under SyncEveryAppend returned nil)
//	k <r> <i>   record (r, i) may be acknowledged from now on (printed
//	            before the Ack call, so the parent's set is a superset)
//
// It runs until killed.

// writerOptions are the spool options of the crash test, for both sides.
func writerOptions(policy SyncPolicy) Options {
	return Options{SegmentBytes: 16 << 10, MaxBytes: 256 << 20, Sync: policy, SyncPeriod: 2e6}
}

// crashPayload is record (r, i)'s payload: it says who it is and carries a
// pad the parent can check byte for byte.
func crashPayload(r, i int) []byte {
	n := (r*7919 + i*104729) % 300
	b := fmt.Appendf(nil, "r=%d i=%d n=%d:", r, i, n)
	for j := 0; j < n; j++ {
		b = append(b, byte('a'+(r+i+j)%26))
	}
	return b
}

// parseCrashPayload returns (r, i) if p is a well-formed crash payload.
func parseCrashPayload(p []byte) (r, i int, ok bool) {
	var n int
	head, _, found := strings.Cut(string(p), ":")
	if !found {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(head, "r=%d i=%d n=%d", &r, &i, &n); err != nil {
		return 0, 0, false
	}
	return r, i, string(crashPayload(r, i)) == string(p)
}

func runWriter(args []string) int {
	dir := args[0]
	run, _ := strconv.Atoi(args[1])
	policy, _ := strconv.Atoi(args[2])
	seed, _ := strconv.ParseUint(args[3], 10, 64)
	rng := rand.New(rand.NewPCG(seed, uint64(run)))
	out := bufio.NewWriterSize(os.Stdout, 1<<16)
	say := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush() // unbuffered as far as a kill is concerned
	}

	s, err := Open(dir, writerOptions(SyncPolicy(policy)))
	if err != nil {
		fmt.Fprintln(os.Stderr, "writer: open:", err)
		return 2
	}
	i := 0
	var recs []Record
	for batchNo := 0; ; batchNo++ {
		k := 1 + rng.IntN(40)
		batch := make([][]byte, k)
		for j := range batch {
			batch[j] = crashPayload(run, i+j)
		}
		_, n, err := s.Append(batch...)
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer: append:", err)
			return 2
		}
		i += n
		if policy == int(SyncEveryAppend) {
			say("d %d %d", run, i-1)
		} else if batchNo%5 == 4 {
			if err := s.Sync(); err != nil {
				fmt.Fprintln(os.Stderr, "writer: sync:", err)
				return 2
			}
			say("d %d %d", run, i-1)
		}
		// Deliver some: acknowledge a quarter of what this run wrote,
		// out of order.
		recs, err = s.Next(recs[:0], 50, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, "writer: next:", err)
			return 2
		}
		for _, rec := range recs {
			if r, idx, ok := parseCrashPayload(rec.Payload); ok && r == run && idx%4 == 1 {
				say("k %d %d", r, idx)
				s.Ack(rec.Seq)
			}
		}
	}
}
