package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// CPU is the processor time (user + system, from /proc/PID/stat) that the
// engine (-pid), the PostgreSQL backends serving one database
// (-cpu-postmaster, -cpu-database) and wf-bench itself spent during the
// measured window, and per instance measured. On a busy machine these
// figures move far less than throughput does: they say what an instance
// costs, not how fast the machine was that minute.
type CPU struct {
	WindowSeconds float64 `json:"window_s"`
	// Seconds of CPU time in the window, by process group.
	EngineSeconds   float64 `json:"engine_s,omitempty"`
	PostgresSeconds float64 `json:"postgres_backends_s,omitempty"`
	// PostgresShared is the cluster's own processes (WAL writer,
	// checkpointer, background writer, autovacuum), which serve every
	// database of the cluster: other loads on it show up here.
	PostgresShared float64 `json:"postgres_shared_s,omitempty"`
	BenchSeconds   float64 `json:"bench_s"`
	// PerInstance holds milliseconds of CPU time per instance measured;
	// its total is engine + postgres backends + bench.
	PerInstance map[string]float64 `json:"ms_per_instance"`
	// Backends counts the PostgreSQL backends of the database seen.
	Backends int `json:"postgres_backends,omitempty"`
}

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat;
// it is 100 on every Linux platform Go supports.
const clockTicks = 100

// cpuMeter samples processes' CPU time until stopped: the engine's, the
// backends of one database of a PostgreSQL cluster, and its own. It
// samples every interval so that a backend which exits during the window
// still counts up to its last sample.
type cpuMeter struct {
	engine     int
	postmaster int
	database   string
	// read reads every process measured (readProcs; tests fake it).
	read func() map[int]cpuSample

	mu     sync.Mutex
	base   map[int]cpuSample // per pid, at the window's start (0 for pids born later)
	last   map[int]cpuSample
	marked bool
}

// cpuSample is one process's CPU time in clock ticks and what it is.
type cpuSample struct {
	ticks int64
	kind  string // "engine", "backend", "shared", "bench"
}

// newCPUMeter returns a meter for the options' processes, or nil when no
// CPU figures are asked for.
func newCPUMeter(o options) *cpuMeter {
	if !o.CPU {
		return nil
	}
	m := &cpuMeter{engine: o.PID, postmaster: o.Postmaster, database: o.Database,
		base: map[int]cpuSample{}, last: map[int]cpuSample{}}
	m.read = m.readProcs
	return m
}

// check reads every process once, so that a wrong pid fails before the run.
func (m *cpuMeter) check() error {
	if m.engine > 0 {
		if _, err := procTicks(m.engine); err != nil {
			return fmt.Errorf("-pid: %w", err)
		}
	}
	if m.postmaster > 0 {
		if _, err := children(m.postmaster); err != nil {
			return fmt.Errorf("-cpu-postmaster: %w", err)
		}
	}
	_, err := procTicks(os.Getpid())
	return err
}

// run samples every interval until ctx ends; at markAt it takes the
// window's base, at stopAt its end.
func (m *cpuMeter) run(ctx context.Context, markAt, stopAt time.Time, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		now := time.Now()
		if !now.Before(stopAt) {
			m.sample(true)
			return
		}
		m.sample(!now.Before(markAt))
		next := min(time.Until(markAt), time.Until(stopAt))
		if next <= 0 || next > interval {
			next = interval
		}
		t.Reset(next)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sample reads the processes once. Before the window (inWindow false)
// the reading is the base; the first reading inside it is the base too
// (the meter wakes at the window's start), and pids seen for the first
// time later count from zero.
func (m *cpuMeter) sample(inWindow bool) {
	now := m.read()
	m.mu.Lock()
	defer m.mu.Unlock()
	if !inWindow || !m.marked {
		m.base = now
		m.marked = inWindow
	}
	for pid, s := range now {
		if _, ok := m.base[pid]; !ok {
			m.base[pid] = cpuSample{kind: s.kind}
		}
		if inWindow {
			m.last[pid] = s
		}
	}
}

// readProcs returns the CPU time of every process measured, by pid;
// processes that vanish between listing and reading are left out.
func (m *cpuMeter) readProcs() map[int]cpuSample {
	out := map[int]cpuSample{}
	add := func(pid int, kind string) {
		if t, err := procTicks(pid); err == nil {
			out[pid] = cpuSample{ticks: t, kind: kind}
		}
	}
	add(os.Getpid(), "bench")
	if m.engine > 0 {
		add(m.engine, "engine")
	}
	if m.postmaster > 0 {
		pids, _ := children(m.postmaster)
		for _, pid := range pids {
			cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
			if err != nil {
				continue
			}
			switch db, backend := backendDatabase(cmd); {
			case !backend:
				add(pid, "shared")
			case db == m.database:
				add(pid, "backend")
			}
		}
	}
	return out
}

// result returns the window's figures for measured instances.
func (m *cpuMeter) result(window time.Duration, measured int64) *CPU {
	m.mu.Lock()
	defer m.mu.Unlock()
	secs := map[string]float64{}
	backends := 0
	for pid, end := range m.last {
		d := end.ticks - m.base[pid].ticks
		secs[end.kind] += float64(d) / clockTicks
		if end.kind == "backend" {
			backends++
		}
	}
	c := &CPU{WindowSeconds: round(window.Seconds()), EngineSeconds: round(secs["engine"]),
		PostgresSeconds: round(secs["backend"]), PostgresShared: round(secs["shared"]),
		BenchSeconds: round(secs["bench"]), Backends: backends, PerInstance: map[string]float64{}}
	if measured > 0 {
		per := func(s float64) float64 { return float64(int64(s*1e6/float64(measured)+0.5)) / 1000 }
		c.PerInstance["bench"] = per(secs["bench"])
		total := secs["bench"]
		if m.engine > 0 {
			c.PerInstance["engine"] = per(secs["engine"])
			total += secs["engine"]
		}
		if m.postmaster > 0 {
			c.PerInstance["postgres_backends"] = per(secs["backend"])
			c.PerInstance["postgres_shared"] = per(secs["shared"])
			total += secs["backend"]
		}
		c.PerInstance["total"] = per(total)
	}
	return c
}

// procTicks returns utime + stime of a process, in clock ticks.
func procTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read the CPU time of process %d: %w", pid, err)
	}
	return parseStatTicks(b)
}

// parseStatTicks reads utime and stime (fields 14 and 15) of a
// /proc/PID/stat line; the command name (field 2) may hold spaces and
// parentheses, so fields are counted from its closing parenthesis.
func parseStatTicks(stat []byte) (int64, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 { // state is field 3, stime field 15
		return 0, errors.New("/proc stat: too few fields")
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64)
	s, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc stat: utime %q or stime %q is not a number", f[11], f[12])
	}
	return u + s, nil
}

// children lists a process's child processes.
func children(pid int) ([]int, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
	if err != nil {
		return nil, fmt.Errorf("list the children of process %d: %w", pid, err)
	}
	var out []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil {
			out = append(out, n)
		}
	}
	return out, nil
}

// backendDatabase reads a PostgreSQL child process's command line
// ("postgres: [cluster: ]user database host(port) activity") and returns
// the database of a client backend; backend is false for the cluster's
// own processes ("postgres: [cluster: ]walwriter").
func backendDatabase(cmdline []byte) (db string, backend bool) {
	text := strings.TrimRight(string(bytes.ReplaceAll(cmdline, []byte{0}, []byte{' '})), " ")
	rest, ok := strings.CutPrefix(text, "postgres: ")
	if !ok {
		return "", false
	}
	f := strings.Fields(rest)
	if len(f) > 0 && strings.HasSuffix(f[0], ":") { // cluster_name
		f = f[1:]
	}
	// A client backend names its host: "127.0.0.1(5432)", "[local]".
	if len(f) < 3 || !strings.Contains(f[2], "(") && f[2] != "[local]" {
		return "", false
	}
	return f[1], true
}
