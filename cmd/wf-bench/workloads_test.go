package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/example/wf-engine/api/rest"
	"github.com/example/wf-engine/api/telemetry"
	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// testEngine is an engine on SQLite served over loopback, without
// authentication, with /metrics.
type testEngine struct {
	url    string
	dbPath string
}

func startEngine(t *testing.T) testEngine {
	t.Helper()
	gin.SetMode(gin.TestMode)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wf.db")
	st, err := sqlitestore.Open(ctx, path, sqlitestore.Options{Synchronous: "NORMAL"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: st, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := rest.New(rest.Config{}, eng, st, telemetry.New(), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Drain(); hs.Close(); _ = eng.Close(); _ = st.Close() })
	return testEngine{url: hs.URL, dbPath: path}
}

// runWorkload runs wf-bench with args against e and decodes its result.
func runWorkload(t *testing.T, e testEngine, args ...string) Result {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), append([]string{"-address", e.url}, args...), &out, ""); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	return res
}

// TestWorkloads runs each workload for a moment against one engine and
// checks that every created instance ended and that the figures are
// filled in; it asserts no timing. W5 runs 200 timers due within a second,
// starting a second after its start, on the system clock, and checks
// that every timer fired (those created late too, as a busy machine may)
// and none was seen before the first due date. The soak
// runs for 2.5 s with an interval of 500 ms.
func TestWorkloads(t *testing.T) {
	e := startEngine(t)
	for _, tc := range []struct {
		workload string
		unit     string
		perInst  float64 // units per instance
		lag      bool
		inflight int // the bound of instances in flight the run had
		extra    []string
	}{
		{"w1", "", 0, false, 0, nil},
		{"w2", "jobs", 10, false, 20, []string{"-max-inflight", "20"}},
		{"w3", "jobs", 5, false, defaultInflight, nil},
		{"w4", "messages", 1, true, 10 + 5, []string{"-max-inflight", "10"}},
		{"w6", "user_tasks", 1, false, defaultInflight, nil},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			args := []string{"-workload", tc.workload, "-duration", "1500ms", "-warmup", "300ms", "-rate", "40",
				"-creators", "2", "-workers", "1", "-completers", "4", "-waiting", "5"}
			res := runWorkload(t, e, append(args, tc.extra...)...)
			out, _ := json.Marshal(res)
			if res.MaxInflight != tc.inflight {
				t.Fatalf("max_inflight: %s", out)
			}
			if res.Workload != strings.ToUpper(tc.workload) || res.Created == 0 || res.Completed != res.Created || res.Incomplete != 0 ||
				failures(res.Errors) != 0 || res.Measured == 0 || res.LatencyMillis.P50 <= 0 || res.LatencyMillis.P99 < res.LatencyMillis.P50 ||
				res.LatencyMillis.Max < res.LatencyMillis.P99 || res.InstancesPerSec <= 0 || (res.LatencyFrom == "") != (tc.workload == "w1") {
				t.Fatalf("result: %s", out)
			}
			if res.Unit != tc.unit || math.Abs(res.UnitPerSec-res.InstancesPerSec*tc.perInst) > 0.1*tc.perInst {
				t.Fatalf("unit: %s", out)
			}
			if tc.lag != (res.Lag != nil) || tc.lag && (res.LagCount == 0 || res.Lag.P50 <= 0 || res.Lag.Max > res.LatencyMillis.Max) {
				t.Fatalf("lag: %s", out)
			}
			if tc.workload == "w4" && res.Waiting != 5 {
				t.Fatalf("waiting: %s", out)
			}
		})
	}
	t.Run("w5", func(t *testing.T) {
		res := runWorkload(t, e, "-workload", "w5", "-timers", "200", "-timer-lead", "1s", "-timer-window", "1s", "-drain", "20s",
			"-creators", "8", "-workers", "2", "-completers", "8")
		out, _ := json.Marshal(res)
		tr := res.Timers
		if tr == nil || tr.Count != 200 || res.Created != 200 || res.Completed != 200 || failures(res.Errors) != 0 || tr.Fired != 200 || res.LagCount != 200 {
			t.Fatalf("result: %s", out)
		}
		if res.Lag.P50 < 0 || res.Lag.P99 < res.Lag.P50 || res.Lag.Max < res.Lag.P99 || !tr.DueTo.After(tr.DueFrom) || tr.FirstFired.Before(tr.DueFrom) {
			t.Fatalf("lag: %s", out)
		}
		if el := tr.EngineLagAll; tr.EngineLagAllCount != 200 || tr.EngineLagCount != 200-int(tr.CreatedLate) || el.P50 < 0 || el.P99 < el.P50 || el.Max > res.Lag.Max {
			t.Fatalf("engine fire lag: %s", out)
		}
		if res.Unit != "timers" || res.UnitPerSec <= 0 || res.LatencyMillis.Max < res.Lag.Max {
			t.Fatalf("figures: %s", out)
		}
	})
	t.Run("soak", func(t *testing.T) {
		var out bytes.Buffer
		err := run(context.Background(), []string{"soak", "-address", e.url, "-duration", "2500ms", "-interval", "500ms", "-rate", "40",
			"-creators", "2", "-workers", "1", "-completers", "4", "-pid", strconv.Itoa(os.Getpid()), "-sqlite-path", e.dbPath}, &out, "")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) < 5 {
			t.Fatalf("expected at least 4 interval lines and a summary, got:\n%s", out.String())
		}
		var completed int64
		for _, l := range lines[:len(lines)-1] {
			var sm SoakSample
			if err := json.Unmarshal([]byte(l), &sm); err != nil || sm.RSSMB <= 0 || sm.Goroutines <= 0 || sm.HeapInuseMB <= 0 || sm.DBMB <= 0 ||
				len(sm.Unavailable) != 0 || sm.Errors != 0 || sm.Completed < completed {
				t.Fatalf("line %q: %v", l, err)
			}
			completed = sm.Completed
		}
		var sum SoakSummary
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &sum); err != nil {
			t.Fatal(err)
		}
		w1, w6 := sum.Runs["W1"], sum.Runs["W6"]
		if !sum.Summary || sum.Completed == 0 || sum.Completed != completed || w1 == nil || w6 == nil || w1.Completed == 0 || w6.Completed == 0 ||
			sum.RSS.From <= 0 || sum.DB.To <= 0 || sum.Goroutines.From <= 0 || sum.P99LastMillis <= 0 || sum.WindowFromSeconds <= 0 {
			t.Fatalf("summary: %s", lines[len(lines)-1])
		}
	})
}

// failures counts the errors other than 429 answers (the engine's
// backpressure on a busy machine; wf-bench sends those requests again).
func failures(errs map[string]int) int {
	n := 0
	for k, v := range errs {
		if !strings.HasSuffix(k, ": 429") {
			n += v
		}
	}
	return n
}

func TestUnknownWorkload(t *testing.T) {
	if err := run(context.Background(), []string{"-workload", "w9"}, &bytes.Buffer{}, ""); err == nil {
		t.Fatal("workload w9 was accepted")
	}
}

func TestRecentForgets(t *testing.T) {
	r := newRecent(10)
	if !r.add("a", at(0)) || r.add("a", at(5)) {
		t.Fatal("a key was not remembered")
	}
	if r.add("a", at(12)) { // moved to the previous generation
		t.Fatal("a key was forgotten after one ttl")
	}
	if !r.add("a", at(25)) {
		t.Fatal("a key was remembered after two ttl")
	}
}

func at(ns int64) time.Time { return time.Unix(0, ns) }

func TestParseMetrics(t *testing.T) {
	text := "# HELP go_goroutines x\n# TYPE go_goroutines gauge\ngo_goroutines 42\ngo_memstats_heap_inuse_bytes 1.048576e+06\nwf_x{a=\"b\"} 3\n"
	m, err := parseMetrics(strings.NewReader(text), "go_goroutines", "go_memstats_heap_inuse_bytes")
	if err != nil || m["go_goroutines"] != 42 || m["go_memstats_heap_inuse_bytes"] != 1<<20 {
		t.Fatalf("%v %v", m, err)
	}
	if _, err := parseMetrics(strings.NewReader("go_goroutines 1\n"), "go_goroutines", "go_memstats_heap_inuse_bytes"); err == nil {
		t.Fatal("a missing metric gave no error")
	}
}

func TestSummaryGrowth(t *testing.T) {
	var samples []SoakSample
	for i := range 61 { // an hour, one line a minute
		samples = append(samples, SoakSample{elapsedSince: time.Duration(i) * time.Minute, CompletedInterval: 100,
			RSSMB: 100 + float64(i), DBMB: 50, Goroutines: 30, HeapInuseMB: 20, P99Millis: 40 + float64(i%3)})
	}
	sum := summarize(soakOptions{}, samples, time.Hour)
	if sum.WindowFromSeconds != 900 || sum.RSS.From != 115 || sum.RSS.To != 160 || sum.RSS.GrowthPct != 39.13 || sum.DB.GrowthPct != 0 {
		t.Fatalf("growth: %+v", sum)
	}
	if sum.Flat || !sum.P99Steady || sum.P99MaxMillis != 42 {
		t.Fatalf("verdicts: %+v", sum)
	}
}
