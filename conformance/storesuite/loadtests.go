package storesuite

import (
	"context"
	"sync"
	"testing"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/replaycheck"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store/memstore"
)

// loadDropsEndedScopes checks that Load returns the variables of live
// scopes only: a task's local variable stays in the table after the task
// completed, while its instance goes on.
func (s *suite) loadDropsEndedScopes(t *testing.T) {
	st := s.store(t)
	ref := memstore.New(memstore.Options{})
	w := newWorkload(t, 11, st, ref)
	b, err := models.ReadFile("testdata/local-vars.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	if res := w.do(&record.Record{ValueType: record.TypeDeployment, Intent: record.IntentDeploymentCreate, Version: 1,
		Value: &record.DeploymentValue{Resources: []record.Resource{{Name: "local-vars.bpmn", Content: b}}}}); res.Rejection != nil {
		t.Fatalf("deploy: %v", res.Rejection)
	}
	for range 3 {
		w.do(&record.Record{ValueType: record.TypeProcessInstanceCreation, Intent: record.IntentProcessInstanceCreate, Version: 1,
			Value: &record.ProcessInstanceCreationValue{BPMNProcessID: "local-vars", Variables: map[string]any{"x": float64(1)}}})
	}
	w.flush()
	// The first instance's task ends; the others' tasks still live.
	keys := w.st().JobKeys()
	w.do(&record.Record{Key: keys[0], ValueType: record.TypeJob, Intent: record.IntentJobComplete, Version: 1, Value: &record.JobValue{}})
	w.flush()
	snap := snapshot(t, st)
	sameSnapshot(t, snap, snapshot(t, ref))
	locals := 0
	for _, v := range snap.Variables {
		if v.Name == "local" {
			locals++
		}
	}
	if len(snap.Variables) != 5 || locals != 2 {
		t.Fatalf("loaded %d variables, %d of them local: want x of 3 instances and the 2 live tasks' locals: %+v", len(snap.Variables), locals, snap.Variables)
	}
	if got, want := string(restore(t, snap).Dump()), string(w.st().Dump()); got != want {
		t.Fatalf("restored state differs from the live one:\ngot  %s\nwant %s", got, want)
	}
	if err := replaycheck.Check(context.Background(), st); err != nil {
		t.Fatal(err)
	}
}

// loadDuringCommits checks that every Load taken while batches commit is
// one snapshot: the rows exactly as the reference store held them at the
// snapshot's position, however the store spreads its reading (pgstore
// reads the big tables on several connections).
func (s *suite) loadDuringCommits(t *testing.T) {
	st := s.store(t)
	ref := memstore.New(memstore.Options{})
	w := newWorkload(t, 12, st, ref)
	want := map[int64]*state.Snapshot{}
	note := func() {
		snap := snapshot(t, ref)
		want[snap.LastPosition] = snap
	}
	note()
	var (
		mu     sync.Mutex
		loaded []*state.Snapshot
		done   = make(chan struct{})
		wg     sync.WaitGroup
		errs   []error
	)
	l := loader(t, st)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			snap, err := l.Load(context.Background())
			mu.Lock()
			if err != nil {
				errs = append(errs, err)
			} else {
				loaded = append(loaded, snap)
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	for range 300 {
		w.step()
		w.flush()
		note()
	}
	close(done)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("load during commits: %v", errs[0])
	}
	if len(loaded) == 0 {
		t.Fatal("no load finished")
	}
	for _, snap := range loaded {
		ref, ok := want[snap.LastPosition]
		if !ok {
			t.Fatalf("loaded a snapshot at position %d, where no batch ended", snap.LastPosition)
		}
		sameSnapshot(t, snap, ref)
		restore(t, snap)
	}
	t.Logf("%d loads during commits matched the reference", len(loaded))
}
