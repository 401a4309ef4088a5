package crashtest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
)

func TestMain(m *testing.M) {
	if kind := os.Getenv(envChild); kind != "" {
		run := runChild
		if os.Getenv(envEvents) != "" {
			run = runEventsChild
		}
		if err := run(kind, os.Getenv(envTarget)); err != nil {
			fmt.Fprintln(os.Stderr, "crash test child:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	goleak.VerifyTestMain(m)
}

func TestCrashSQLite(t *testing.T) {
	crash(t, "sqlite", filepath.Join(t.TempDir(), "data", "wf.db"))
}

func TestCrashPostgres(t *testing.T) {
	crash(t, "postgres", pgtest.URL(t))
}

// acks are what a killed child acknowledged.
type acks struct {
	created, completed []int64
}

// crash kills two children in turn in the middle of their load, checks the
// store after each, then finishes every instance with an engine of its own.
func crash(t *testing.T, kind, target string) {
	var all acks
	for round := range 2 {
		got := runAndKill(t, kind, target, 400+300*round)
		t.Logf("round %d: killed after %d instances created and %d jobs completed", round, len(got.created), len(got.completed))
		all.created = append(all.created, got.created...)
		all.completed = append(all.completed, got.completed...)
		check(t, kind, target, all)
	}
	finish(t, kind, target, all)
}

// runAndKill starts a child on the store and kills it with SIGKILL once it
// acknowledged at least n commands, some of them completions.
func runAndKill(t *testing.T, kind, target string, n int) acks {
	t.Helper()
	var a acks
	killed, err := killChild(t, "^$", []string{envChild + "=" + kind, envTarget + "=" + target}, func(line string) bool {
		word, num, ok := strings.Cut(line, " ")
		key, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil {
			t.Errorf("child printed %q", line)
			return false
		}
		switch word {
		case "created":
			a.created = append(a.created, key)
		case "completed":
			a.completed = append(a.completed, key)
		}
		// Kill mid-load; the lines the child wrote before it died are
		// still read: they were acknowledged too.
		return len(a.created)+len(a.completed) >= n && len(a.completed) >= n/5
	})
	if !killed {
		t.Fatalf("the child ended before it was killed (%v) after %d created, %d completed", err, len(a.created), len(a.completed))
	}
	return a
}

// check opens the store the way a restart would and verifies that every
// acknowledged command is in it and that its log and rows agree.
func check(t *testing.T, kind, target string, a acks) {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, kind, target, nil)
	defer func() { _ = s.Close() }()

	created := map[int64]bool{}
	var last int64
	err := s.ReadLog(ctx, 1, func(r *record.Record) error {
		if r.Position != last+1 {
			return fmt.Errorf("log position %d follows %d", r.Position, last)
		}
		last = r.Position
		if r.Kind == record.KindEvent && r.ValueType == record.TypeProcessInstanceCreation && r.Intent == record.IntentProcessInstanceCreated {
			created[r.Key] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range a.created {
		if !created[k] {
			t.Fatalf("acknowledged instance %d has no creation event in the log", k)
		}
	}
	q := s.(store.Querier)
	for _, chunk := range chunks(a.created, 500) {
		p, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{{Field: "processInstanceKey", Op: store.OpIn, Value: chunk}}, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != int64(len(chunk)) {
			t.Fatalf("%d of %d acknowledged instances have an element row", p.Total, len(chunk))
		}
	}
	for _, chunk := range chunks(a.completed, 500) {
		p, err := q.SearchJobs(ctx, store.Query{Conditions: []store.Condition{
			{Field: "jobKey", Op: store.OpIn, Value: chunk}, {Field: "state", Op: store.OpEq, Value: store.JobStateCompleted}}, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != int64(len(chunk)) {
			t.Fatalf("%d of %d acknowledged job completions are in the store", p.Total, len(chunk))
		}
	}
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatal(err)
	}
}

// finish restarts an engine on the store and completes every instance.
func finish(t *testing.T, kind, target string, a acks) {
	t.Helper()
	ctx := context.Background()
	s := mustOpen(t, kind, target, nil)
	defer func() { _ = s.Close() }()
	e, err := startEngine(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	q := s.(store.Querier)
	active := func() int64 {
		p, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{{Field: "state", Value: store.StateActive}}, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	deadline := time.Now().Add(60 * time.Second)
	for active() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d instances are still active after a minute", active())
		}
		jobs, err := e.ActivateJobs(ctx, activate())
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			if err := e.CompleteJob(ctx, completeReq(j.Key)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := q.SearchProcessInstances(ctx, store.Query{Conditions: []store.Condition{{Field: "state", Value: store.StateCompleted}}, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total < int64(len(a.created)) {
		t.Fatalf("%d instances completed, but %d were acknowledged as created", p.Total, len(a.created))
	}
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatal(err)
	}
	t.Logf("restarted engine finished all %d instances", p.Total)
}

func chunks(keys []int64, n int) [][]int64 {
	var out [][]int64
	for len(keys) > 0 {
		k := min(n, len(keys))
		out = append(out, keys[:k])
		keys = keys[k:]
	}
	return out
}
