package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/core/store/sqlitestore"
	"github.com/example/wf-engine/elements/standard"
)

// seeded is a store the seed test reopens.
type seeded interface {
	store.Store
	store.Querier
}

func seedRun(t *testing.T, args ...string) SeedResult {
	t.Helper()
	var res SeedResult
	runResult(t, &res, append([]string{"seed"}, args...)...)
	return res
}

// runResult runs wf-bench with args and reads its result into res: the
// last JSON document of the output (progress lines come before).
func runResult(t *testing.T, res any, args ...string) {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), args, &out, ""); err != nil {
		t.Fatalf("wf-bench %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	text := out.String()
	if err := json.Unmarshal([]byte(text[strings.LastIndex(text, "\n{")+1:]), res); err != nil {
		t.Fatalf("read the result of wf-bench %s: %v\n%s", args[0], err, text)
	}
}

// checkSeeded opens the seeded store as the engine does, checks that the
// replay of its log gives its rows, and that searches count the instances.
func checkSeeded(t *testing.T, open func() seeded, completed, running int) {
	t.Helper()
	ctx := context.Background()
	s := open()
	defer func() { _ = s.Close() }()
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatalf("replay check: %v", err)
	}
	count := func(state string) int64 {
		p, err := s.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{
			{Field: "processDefinitionId", Value: seedProcess}, {Field: "state", Value: state}}, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	if got := count("COMPLETED"); got != int64(completed) {
		t.Errorf("completed instances: %d, want %d", got, completed)
	}
	if got := count("ACTIVE"); got != int64(running) {
		t.Errorf("running instances: %d, want %d", got, running)
	}
	jobs, err := s.SearchJobs(ctx, store.Query{Conditions: []store.Condition{{Field: "type", Value: seedProcess}, {Field: "state", Value: "CREATED"}}})
	if err != nil {
		t.Fatal(err)
	}
	if jobs.Total != int64(running) {
		t.Errorf("open jobs: %d, want %d", jobs.Total, running)
	}
	vars, err := s.SearchVariables(ctx, store.Query{Conditions: []store.Condition{{Field: "name", Value: "orderId"}, {Field: "value", Value: `"o-7"`}}})
	if err != nil {
		t.Fatal(err)
	}
	if vars.Total != 1 {
		t.Errorf("variables orderId o-7: %d, want 1", vars.Total)
	}
	// The engine starts on it, and a worker completes a running instance.
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatalf("start an engine on the seeded store: %v", err)
	}
	defer func() { _ = e.Close() }()
	got, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: seedProcess, Worker: "test", Timeout: time.Minute, MaxJobs: 1})
	if err != nil || len(got) != 1 {
		t.Fatalf("activate a seeded job: %v (%d jobs)", err, len(got))
	}
	if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: got[0].Key}); err != nil {
		t.Fatalf("complete a seeded job: %v", err)
	}
}

func testSeed(t *testing.T, target []string, open func() seeded) {
	from := []string{"-from", "2026-01-01T00:00:00Z", "-batch", "50", "-progress", "1ms"}
	res := seedRun(t, append(append(target, from...), "-completed", "200", "-running", "20")...)
	if res.Completed != 200 || res.Running != 20 || res.AddedCompleted != 200 || res.AddedRunning != 20 {
		t.Fatalf("first run: %+v", res)
	}
	if res.Commits < 5 || res.Records == 0 || res.Rows == 0 || res.InstancesPerSec <= 0 {
		t.Fatalf("first run's figures: %+v", res)
	}
	// Run again with more: only the difference is added.
	res = seedRun(t, append(append(target, from...), "-completed", "230", "-running", "25")...)
	if res.Completed != 230 || res.Running != 25 || res.AddedCompleted != 30 || res.AddedRunning != 5 {
		t.Fatalf("second run: %+v", res)
	}
	// And again with the same: nothing is added.
	res = seedRun(t, append(append(target, from...), "-completed", "230", "-running", "25")...)
	if res.AddedCompleted != 0 || res.AddedRunning != 0 || res.Commits != 0 {
		t.Fatalf("third run: %+v", res)
	}
	checkSeeded(t, open, 230, 25)
}

func TestSeedSQLite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	testSeed(t, []string{"-sqlite-path", path}, func() seeded {
		s, err := sqlitestore.Open(context.Background(), path, sqlitestore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestSeedPostgres(t *testing.T) {
	url := pgtest.URL(t)
	testSeed(t, []string{"-pg-url", url}, func() seeded {
		s, err := pgstore.Open(context.Background(), url, pgstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestSeedRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-sqlite-path", "a.db", "-pg-url", "postgres://x"},
		{"-sqlite-path", "a.db", "-batch", "0"},
		{"-sqlite-path", "a.db", "-completed", "-1"},
		{"-sqlite-path", "a.db", "-interval", "1ms"},
		{"-sqlite-path", "a.db", "-from", "yesterday"},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"seed"}, args...), &out, ""); err == nil {
			t.Errorf("seed %v: no error", args)
		}
	}
}

func TestSearchesPrintsEverySearch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seed.db")
	seedRun(t, "-sqlite-path", path, "-completed", "60", "-running", "6", "-batch", "20", "-from", "2026-01-01T00:00:00Z")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"searches", "-sqlite-path", path, "-runs", "2", "-restores", "1"}, &out, ""); err != nil {
		t.Fatalf("searches: %v\n%s", err, out.String())
	}
	var res SearchesResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Searches) < 40 || len(res.RestoreMillis) != 1 || res.RestoredJobs != 6 {
		t.Fatalf("searches: %d timed, restores %v, jobs %d", len(res.Searches), res.RestoreMillis, res.RestoredJobs)
	}
	for _, s := range res.Searches {
		if s.Runs != 2 || s.P50 <= 0 || s.P99 < s.P50 {
			t.Errorf("%s: %+v", s.Name, s)
		}
		if s.Name == "process instances: state COMPLETED" && s.Total != 60 {
			t.Errorf("%s: total %d, want 60", s.Name, s.Total)
		}
	}
}
