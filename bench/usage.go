package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// usage marks the start of a measured phase: CPU time is counted from it,
// and the process's peak RSS is reset to the current RSS where Linux allows
// it (writing 5 to /proc/self/clear_refs), so each phase reports its own peak.
type usage struct {
	cpu time.Duration
}

func startUsage() usage {
	runtime.GC()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return usage{cpu: cpuTime()}
}

// cpuSeconds returns the CPU time (user and system, every thread) since u.
func (u usage) cpuSeconds() float64 { return (cpuTime() - u.cpu).Seconds() }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// currentRSS returns the resident set size in bytes (VmRSS), or 0.
func currentRSS() uint64 { return statusKB("VmRSS:") << 10 }

// statusKB reads a kB field of /proc/self/status, or 0.
func statusKB(field string) uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err == nil {
				return kb
			}
		}
	}
	return 0
}

// peakRSS returns the peak resident set size in bytes: VmHWM, which
// startUsage resets, or the process's lifetime peak where that is missing.
func peakRSS() uint64 {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
				kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return uint64(ru.Maxrss) << 10 // kilobytes on Linux
}
