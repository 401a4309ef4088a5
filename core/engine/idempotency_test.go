package engine_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/store/memstore"
)

// countRecords counts the log's records of a kind and intent.
func countRecords(t *testing.T, st *memstore.Store, kind record.Kind, intent record.Intent) int {
	t.Helper()
	n := 0
	if err := st.ReadLog(context.Background(), 1, func(r *record.Record) error {
		if r.Kind == kind && r.Intent == intent {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestIdempotencyKeyRecordsTheAnswerWithTheCommand(t *testing.T) {
	st := memstore.New(memstore.Options{})
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e := start(t, st, mc)
	deployW1(t, e)
	bg := context.Background()
	keyed := func(key, fingerprint string) context.Context {
		return engine.WithIdempotencyKey(bg, engine.IdempotencyKey{Key: key, Fingerprint: fingerprint, TTL: time.Hour})
	}
	req := engine.CreateInstanceRequest{BPMNProcessID: "w1"}
	created := func() int { return countRecords(t, st, record.KindEvent, record.IntentProcessInstanceCreated) }

	firstCtx, againCtx := keyed("k1", "f1"), keyed("k1", "f1")
	first, err := e.CreateInstance(firstCtx, req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.CreateInstance(againCtx, req)
	if err != nil || !reflect.DeepEqual(again, first) || created() != 1 {
		t.Fatalf("retry: %+v, %v, %d instances; want %+v and 1 instance", again, err, created(), first)
	}
	if engine.IdempotentReplay(firstCtx) || !engine.IdempotentReplay(againCtx) {
		t.Fatal("IdempotentReplay tells the first command and its retry apart wrongly")
	}
	if _, err := e.CreateInstance(keyed("k1", "f2"), req); !errors.Is(err, engine.ErrIdempotencyKeyReused) {
		t.Fatalf("another fingerprint: %v", err)
	}
	if n := countRecords(t, st, record.KindEvent, record.IntentIdempotencyKeyRecorded); n != 1 {
		t.Fatalf("%d answers recorded, want 1", n)
	}

	// A request's key belongs to its first command: a second command of
	// the same request runs as without a key.
	ctx := keyed("k2", "f")
	if _, err := e.CreateInstance(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, err := e.CreateInstance(ctx, req); err != nil || created() != 3 {
		t.Fatalf("second command of a request: %v, %d instances", err, created())
	}

	// Job activation leaves the key to the command after it.
	ctx = keyed("k3", "f")
	jobs, err := e.ActivateJobs(ctx, engine.ActivateJobsRequest{Type: "work", Worker: "w", Timeout: time.Hour, MaxJobs: 1})
	if err != nil || len(jobs) != 1 {
		t.Fatalf("activate: %d jobs, %v", len(jobs), err)
	}
	if err := e.CompleteJob(ctx, engine.CompleteJobRequest{Key: jobs[0].Key}); err != nil {
		t.Fatal(err)
	}
	if err := e.CompleteJob(keyed("k3", "f"), engine.CompleteJobRequest{Key: jobs[0].Key}); err != nil {
		t.Fatalf("retried completion: %v", err)
	}
	if n := countRecords(t, st, record.KindEvent, record.IntentJobCompleted); n != 1 {
		t.Fatalf("the job completed %d times", n)
	}

	// A rejection is a final answer: the retry gets it without running.
	_, err = e.CreateInstance(keyed("k4", "f"), engine.CreateInstanceRequest{BPMNProcessID: "nope"})
	rj, ok := engine.AsRejection(err)
	if !ok {
		t.Fatalf("create of an unknown process: %v", err)
	}
	_, err = e.CreateInstance(keyed("k4", "f"), engine.CreateInstanceRequest{BPMNProcessID: "nope"})
	if again, ok := engine.AsRejection(err); !ok || *again != *rj {
		t.Fatalf("retried rejection: %v, want %v", err, rj)
	}
	if n := countRecords(t, st, record.KindRejection, record.IntentProcessInstanceCreate); n != 1 {
		t.Fatalf("%d rejections, want 1", n)
	}

	// After the time to live the key is new again.
	mc.Advance(2 * time.Hour)
	later, err := e.CreateInstance(keyed("k1", "f2"), req)
	if err != nil || later.ProcessInstanceKey == first.ProcessInstanceKey {
		t.Fatalf("expired key: %+v, %v", later, err)
	}

	// The answers are events of the log: replaying it rebuilds the state.
	if err := replaycheck.Check(bg, st); err != nil {
		t.Fatal(err)
	}
}
