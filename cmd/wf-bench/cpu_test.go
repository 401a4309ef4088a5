package main

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseStatTicks(t *testing.T) {
	// A command name with a space and a parenthesis, as the kernel writes it.
	stat := []byte("4242 (wf engine) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 1234 567 0 0 20 0 9 0 100 0 0")
	got, err := parseStatTicks(stat)
	if err != nil || got != 1234+567 {
		t.Fatalf("parseStatTicks = %d, %v; want %d", got, err, 1234+567)
	}
	for _, bad := range []string{"4242 wf S 1", "4242 (wf) S 1 2 3", "4242 (wf) S 1 2 3 4 5 6 7 8 9 10 x 5 6"} {
		if _, err := parseStatTicks([]byte(bad)); err == nil {
			t.Errorf("parseStatTicks(%q) succeeded", bad)
		}
	}
}

func TestBackendDatabase(t *testing.T) {
	for _, c := range []struct {
		cmdline string
		db      string
		backend bool
	}{
		{"postgres: 15/main: wf wf_cpu 127.0.0.1(55064) idle\x00\x00\x00", "wf_cpu", true},
		{"postgres: wf wf_cpu 127.0.0.1(55064) UPDATE", "wf_cpu", true},
		{"postgres: 15/main: postgres wf_test [local] idle", "wf_test", true},
		{"postgres: 15/main: walwriter   ", "", false},
		{"postgres: 15/main: autovacuum worker wf_cpu", "", false},
		{"postgres: checkpointer", "", false},
		{"/usr/lib/postgresql/15/bin/postgres -D /var/lib/postgresql/15/main", "", false},
	} {
		db, backend := backendDatabase([]byte(c.cmdline))
		if db != c.db || backend != c.backend {
			t.Errorf("backendDatabase(%q) = %q, %v; want %q, %v", c.cmdline, db, backend, c.db, c.backend)
		}
	}
}

// TestCPUMeterWindow checks what a window counts: the time between the
// base and the last reading of every process, a backend born in the
// window from zero, one that exited up to its last reading.
func TestCPUMeterWindow(t *testing.T) {
	m := newCPUMeter(options{CPU: true, PID: 10, Postmaster: 1, Database: "wf"})
	readings := []map[int]cpuSample{
		{10: {100, "engine"}, 20: {40, "backend"}, 30: {5, "shared"}, 99: {7, "bench"}},   // before the window
		{10: {110, "engine"}, 20: {50, "backend"}, 30: {6, "shared"}, 99: {9, "bench"}},   // its start
		{10: {130, "engine"}, 20: {80, "backend"}, 21: {7, "backend"}, 99: {12, "bench"}}, // 21 is born, 30 vanished
		{10: {150, "engine"}, 21: {20, "backend"}, 30: {8, "shared"}, 99: {19, "bench"}},  // 20 exited
	}
	for i, r := range readings {
		m.read = func() map[int]cpuSample { return r }
		m.sample(i > 0)
	}
	c := m.result(2*time.Second, 100)
	got := [6]float64{c.WindowSeconds, c.EngineSeconds, c.PostgresSeconds, c.PostgresShared, c.BenchSeconds, float64(c.Backends)}
	if want := [6]float64{2, 0.4, 0.5, 0.02, 0.1, 2}; got != want {
		t.Fatalf("window, engine, backends, shared, bench seconds and backends %v, want %v", got, want)
	}
	for k, v := range map[string]float64{"engine": 4, "postgres_backends": 5, "postgres_shared": 0.2, "bench": 1, "total": 10} {
		if c.PerInstance[k] != v {
			t.Errorf("%s: %.3f ms per instance, want %.3f", k, c.PerInstance[k], v)
		}
	}
}

// TestCPUMeterReadsItself checks the /proc reading: this process's CPU
// time grows as it works.
func TestCPUMeterReadsItself(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc")
	}
	m := newCPUMeter(options{CPU: true, PID: os.Getpid()})
	if err := m.check(); err != nil {
		t.Fatal(err)
	}
	before := m.read()[os.Getpid()]
	deadline := time.Now().Add(time.Minute)
	x := 0
	for time.Now().Before(deadline) {
		for i := range 1 << 20 {
			x += i
		}
		if now, err := procTicks(os.Getpid()); err == nil && now >= before.ticks+3 {
			if before.kind != "engine" { // -pid wins over wf-bench's own entry
				t.Fatalf("this process read as %q", before.kind)
			}
			return
		}
	}
	t.Fatalf("CPU time did not grow in a minute of work (%d)", x)
}

func TestCPUOptions(t *testing.T) {
	base := options{Address: "http://127.0.0.1:1", Duration: time.Second, Creators: 1, Workers: 1, Completers: 1, MaxJobs: 1}
	for _, c := range []struct {
		cpu        bool
		postmaster int
		database   string
		ok         bool
	}{
		{true, 1, "x", true},
		{true, 0, "", true},
		{false, 1, "x", false}, // without -cpu
		{true, 1, "", false},   // without a database
		{true, 0, "x", false},  // without a postmaster
		{true, -2, "x", false}, // negative
	} {
		o := base
		o.CPU, o.Postmaster, o.Database = c.cpu, c.postmaster, c.database
		if err := o.check(); (err == nil) != c.ok {
			t.Errorf("check(cpu %v, postmaster %d, database %q) = %v, want ok %v", c.cpu, c.postmaster, c.database, err, c.ok)
		}
	}
}
