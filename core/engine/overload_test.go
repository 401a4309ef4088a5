package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
)

func TestBackpressureRefusesNewWorkButAdmitsDrainingCommands(t *testing.T) {
	e, g := startGatedWith(t, engine.Backpressure{MinLimit: 4, MaxLimit: 4, InitialLimit: 4})
	g.gated.Store(true)

	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Go(func() {
			_, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
			errs <- err
		})
	}
	waitFor(t, "4 creates in flight", func() bool { return e.Backpressure().InFlight == 4 })

	_, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if !errors.Is(err, engine.ErrOverloaded) {
		t.Fatalf("create at the limit: want ErrOverloaded, got %v", err)
	}
	wg.Go(func() { errs <- e.CompleteJob(ctx, engine.CompleteJobRequest{Key: 1 << 40}) })
	waitFor(t, "the job completion admitted beyond the limit", func() bool { return e.Backpressure().InFlight == 5 })

	g.gated.Store(false)
	released := make(chan struct{})
	go func() { // commits already held wait for a release each
		for {
			select {
			case <-g.entered:
				g.release <- nil
			case <-released:
				return
			}
		}
	}()
	wg.Wait()
	close(released)
	close(errs)
	var created, notFound int
	for err := range errs {
		var rej *engine.Rejection
		switch {
		case err == nil:
			created++
		case errors.As(err, &rej):
			notFound++
		default:
			t.Errorf("unexpected answer %v", err)
		}
	}
	if created != 4 || notFound != 1 {
		t.Fatalf("created %d (want 4), completion rejected %d (want 1: the job does not exist)", created, notFound)
	}
	if st := e.Backpressure(); st.InFlight != 0 || st.Rejected != 1 {
		t.Fatalf("after the answers: %+v, want nothing in flight and 1 refused", st)
	}
}

// TestDrainingCommandsRunBeforeNewWork: of the commands waiting for the
// loop, those that finish started work are processed first, whatever
// their order of arrival. Commands wait for the loop once the batch that
// waits for the committer is full (one command here).
func TestDrainingCommandsRunBeforeNewWork(t *testing.T) {
	e, g := startGatedConfig(t, engine.Config{MaxBatch: 1})
	g.gated.Store(true)
	first := createAsync(e)
	<-g.entered // the first batch is committing
	second := createAsync(e)
	waitFor(t, "the second create run into the full batch waiting for the committer", func() bool {
		return e.Backpressure().InFlight == 2 && e.QueueDepth() == 0 && e.WaitingForCommit() == 1
	})
	late := createAsync(e)
	waitFor(t, "a create waiting", func() bool { return e.QueueDepth() == 1 })
	completion := make(chan error, 1)
	go func() { completion <- e.CompleteJob(context.Background(), engine.CompleteJobRequest{Key: 1 << 40}) }()
	waitFor(t, "a completion waiting behind it", func() bool { return e.QueueDepth() == 2 })

	g.gated.Store(false) // the batches after the held one commit at once
	g.release <- nil
	for _, ch := range []<-chan createResult{first, second, late} {
		if r := <-ch; r.err != nil {
			t.Fatal(r.err)
		}
	}
	var rej *engine.Rejection
	if err := <-completion; !errors.As(err, &rej) {
		t.Fatalf("completion of a missing job: %v", err)
	}
	var lastCreate, complete int64
	err := g.ReadLog(context.Background(), 1, func(r *record.Record) error {
		switch r.Intent {
		case record.IntentProcessInstanceCreate:
			lastCreate = r.Position
		case record.IntentJobComplete:
			complete = r.Position
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if complete == 0 || complete > lastCreate {
		t.Fatalf("job completion at position %d, last create at %d: the completion arrived later but must run first", complete, lastCreate)
	}
}
