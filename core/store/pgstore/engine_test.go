package pgstore_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store/pgstore/pgtest"
	"github.com/example/wf-engine/elements/standard"
)

// The engine answers ErrUnavailable when a commit fails on a lost
// connection, reloads from the store, and carries on once the pool has
// reconnected; the store's log and rows still agree, and its hash chain
// holds.
func TestEngineSurvivesALostConnection(t *testing.T) {
	app := "wf-engine-lost-" + time.Now().Format("150405.000000")
	s := open(t, pgtest.URL(t)+"&application_name="+app)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	e, err := engine.Start(ctx, engine.Config{Partition: 1, Clock: clock.System{}, Store: s, Registry: standard.Registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	xml, err := os.ReadFile("../../engine/testdata/w1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Deploy(ctx, engine.DeployRequest{Resources: []record.Resource{{Name: "w1.bpmn", Content: xml}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity WHERE application_name = '"+app+"'")
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create on a lost connection: %v, want engine.ErrUnavailable", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("the engine did not recover: %v", err)
	}
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "w1-work", Worker: "w", Timeout: time.Minute, MaxJobs: 10})
	if err != nil || len(jobs) != 2 {
		t.Fatalf("activate: %d jobs, %v; want the 2 acknowledged instances' jobs", len(jobs), err)
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := replaycheck.Check(ctx, s); err != nil {
		t.Fatal(err)
	}
	// The batches prepared on top of the lost commit never advanced the
	// log's hash chain.
	if rep, err := s.VerifyChain(ctx); err != nil || rep.Broken != nil || rep.Segments == 0 {
		t.Fatalf("hash chain after the reload: %+v %v (%v)", rep, rep.Broken, err)
	}
}
