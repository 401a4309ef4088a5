package main

import (
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestMaxHeapBytes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	limited := write("limited", "1073741824\n")
	unlimited := write("unlimited", "max\n")
	v1unlimited := write("v1", "9223372036854771712\n")
	for _, tc := range []struct {
		name       string
		configured int64
		files      []string
		want       int64
	}{
		{"configured", 100 << 20, []string{limited}, 100 << 20},
		{"off", -1, []string{limited}, 0},
		{"container limit", 0, []string{limited}, 1073741824 / 100 * 35},
		{"no limit (v2)", 0, []string{unlimited}, defaultMaxHeapBytes},
		{"no limit (v1)", 0, []string{v1unlimited}, defaultMaxHeapBytes},
		{"no cgroup files", 0, []string{filepath.Join(dir, "missing")}, defaultMaxHeapBytes},
		{"first file without limit, second with", 0, []string{unlimited, limited}, 1073741824 / 100 * 35},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := maxHeapBytes(tc.configured, tc.files); got != tc.want {
				t.Fatalf("maxHeapBytes(%d) = %d, want %d", tc.configured, got, tc.want)
			}
		})
	}
}

func TestSetGCLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOMEMLIMIT", "")
	t.Setenv("GOGC", "")
	if got := setGCLimit(64 << 20); got != 128<<20 || debug.SetMemoryLimit(-1) != 128<<20 {
		t.Fatalf("soft limit %d (runtime %d), want twice the heap bound", got, debug.SetMemoryLimit(-1))
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GOGC %d under the soft limit, want %d", got, gcPercent)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := setGCLimit(0); got != 0 || debug.SetGCPercent(100) != 100 {
		t.Fatalf("no heap bound set a soft limit of %d or raised GOGC", got)
	}
	t.Setenv("GOMEMLIMIT", "1GiB")
	if got := setGCLimit(64 << 20); got != 0 {
		t.Fatalf("GOMEMLIMIT set, yet a soft limit of %d was set", got)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Fatalf("GOGC %d under GOMEMLIMIT, want %d", got, gcPercent)
	}
	t.Setenv("GOGC", "100") // as the runtime read it: the operator's choice stays
	if setGCLimit(64 << 20); debug.SetGCPercent(100) != 100 {
		t.Fatal("GOGC set, yet the engine changed it")
	}
}

// TestOurOwnGCLimitIsNotAnInput: a second start in one process (as tests
// do) derives the same bound, not 35 % of the soft limit the first set.
func TestOurOwnGCLimitIsNotAnInput(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	t.Setenv("GOMEMLIMIT", "")
	first := maxHeapBytes(0, nil)
	setGCLimit(first)
	if again := maxHeapBytes(0, nil); again != first {
		t.Fatalf("the second start derived %d from the first's soft limit, want %d", again, first)
	}
}

// A systemd service's MemoryMax= is in its own cgroup, a slice's limit in
// an ancestor's: the tightest one counts, whatever the root says.
func TestCgroupMemoryFilesFollowTheProcesssCgroup(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("memory.max", "max\n")
	write("system.slice/memory.max", "4294967296\n")
	write("system.slice/wf-engine.service/memory.max", "1073741824\n")
	write("memory/docker/abc/memory.limit_in_bytes", "536870912\n")
	for _, tc := range []struct {
		name, cgroup string
		want         int64
	}{
		{"systemd service (v2)", "0::/system.slice/wf-engine.service\n", 1073741824},
		{"slice limit only (v2)", "0::/system.slice/other.service\n", 4294967296},
		{"container namespace (v2)", "0::/\n", 0},
		{"v1 memory controller", "12:cpu,cpuacct:/docker/abc\n11:memory:/docker/abc\n", 536870912},
		{"no /proc/self/cgroup", "", 0},
		{"path escapes", "0::/../../etc\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := memoryLimit(cgroupMemoryFiles(root, []byte(tc.cgroup))); got != tc.want {
				t.Fatalf("limit %d, want %d (files %v)", got, tc.want, cgroupMemoryFiles(root, []byte(tc.cgroup)))
			}
		})
	}
}
