package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
)

// defaultMaxHeapBytes is the heap bound of engine.backpressure.max_heap_bytes
// when the process has no memory limit to derive it from: with the garbage
// collector's room of as much again, the process stays under 300 MB.
const defaultMaxHeapBytes = 128 << 20

// cgroupMemoryFiles returns the files that may hold the process's memory
// limit: those of its own cgroup and every ancestor up to the root (cgroup
// v2 memory.max, v1 memory.limit_in_bytes), as /proc/self/cgroup names
// them under root (/sys/fs/cgroup). A container sees its own cgroup as the
// root; a systemd service's MemoryMax= is in its unit's cgroup, and a
// slice's limit in an ancestor's.
func cgroupMemoryFiles(root string, procSelfCgroup []byte) []string {
	files := []string{}
	add := func(dir, name string) {
		for {
			files = append(files, filepath.Join(dir, name))
			if len(dir) <= len(root) {
				return
			}
			dir = filepath.Dir(dir)
		}
	}
	for _, line := range strings.Split(string(procSelfCgroup), "\n") {
		// hierarchy-ID:controllers:path
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") || strings.Contains(parts[2], "..") {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			add(filepath.Join(root, parts[2]), "memory.max")
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			add(filepath.Join(root, "memory", parts[2]), "memory.limit_in_bytes")
		}
	}
	return append(files, filepath.Join(root, "memory.max"), filepath.Join(root, "memory", "memory.limit_in_bytes"))
}

// processMemoryFiles returns cgroupMemoryFiles for this process.
func processMemoryFiles() []string {
	b, _ := os.ReadFile("/proc/self/cgroup") // absent off Linux: the root files remain
	return cgroupMemoryFiles("/sys/fs/cgroup", b)
}

// maxHeapBytes resolves engine.backpressure.max_heap_bytes: a positive
// value is taken as it is, -1 turns the bound off, and 0 takes 35 % of the
// process's memory limit (GOMEMLIMIT, else the container's cgroup limit;
// the garbage collector needs as much again), or 128 MiB when it has none.
func maxHeapBytes(configured int64, files []string) int64 {
	switch {
	case configured > 0:
		return configured
	case configured < 0:
		return 0
	}
	if limit := memoryLimit(files); limit > 0 {
		return limit / 100 * 35
	}
	return defaultMaxHeapBytes
}

// gcPercent is the garbage collector's heap growth between collections
// (GOGC) while a soft memory limit holds the heap: the engine's live heap
// is small (about 7 MB under W1 at full rate on an empty store) and what
// it allocates per instance is short-lived, so at Go's default of 100 the
// collector ran a few dozen times a second and took about a sixth of the
// engine's CPU; at 400 it runs a quarter as often, for some 30 MB more
// heap. Near the soft limit the collector runs as often as the limit
// needs, as with any GOGC.
const gcPercent = 400

// setGCLimit gives the garbage collector a soft memory limit of twice the
// heap bound, unless GOMEMLIMIT sets one: a live heap at the bound then
// has room to grow as GOGC allows, and the process's memory stays near
// twice the bound instead of growing with the collector's heap goal
// after a peak. Under a soft limit (its own or GOMEMLIMIT's) and without
// GOGC, it sets the collector's growth to gcPercent. It returns the limit
// set, or 0.
func setGCLimit(maxHeap int64) int64 {
	limited := os.Getenv("GOMEMLIMIT") != ""
	var set int64
	if maxHeap > 0 && !limited {
		debug.SetMemoryLimit(2 * maxHeap)
		set, limited = 2*maxHeap, true
	}
	if limited && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	return set
}

// memoryLimit returns the process's memory limit, or 0 when it has none:
// GOMEMLIMIT's (as the runtime read it; a limit the runtime holds without
// the variable is our own soft limit, never an input), else the
// container's.
func memoryLimit(files []string) int64 {
	if os.Getenv("GOMEMLIMIT") != "" {
		if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
			return l
		}
	}
	var limit int64
	for _, f := range files {
		b, err := os.ReadFile(f) // #nosec G304 -- cgroup paths under /sys/fs/cgroup (tests pass their own)
		if err != nil {
			continue
		}
		v := strings.TrimSpace(string(b))
		n, err := strconv.ParseInt(v, 10, 64)
		// cgroup v2 says "max", v1 a huge number, when there is no limit.
		if err != nil || n <= 0 || n >= 1<<50 {
			continue
		}
		if limit == 0 || n < limit {
			limit = n // the tightest of the process's cgroup and its ancestors
		}
	}
	return limit
}
