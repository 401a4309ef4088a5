package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// gatedStore holds every commit until the test releases it with the error
// the commit should return, and counts the batches the committer prepared.
type gatedStore struct {
	*memstore.Store
	gated      atomic.Bool
	entered    chan struct{}
	release    chan error
	prepared   atomic.Int64
	prepareErr atomic.Pointer[error]
}

func newGatedStore() *gatedStore {
	return &gatedStore{Store: memstore.New(memstore.Options{}), entered: make(chan struct{}, 16), release: make(chan error)}
}

func (g *gatedStore) Prepare(*store.Batch) error {
	g.prepared.Add(1)
	if p := g.prepareErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (g *gatedStore) Commit(ctx context.Context, b *store.Batch) error {
	if g.gated.Load() {
		g.entered <- struct{}{}
		if err := <-g.release; err != nil {
			return err
		}
	}
	return g.Store.Commit(ctx, b)
}

func startGated(t *testing.T) (*engine.Engine, *gatedStore) {
	t.Helper()
	return startGatedWith(t, engine.Backpressure{})
}

func startGatedWith(t *testing.T, bp engine.Backpressure) (*engine.Engine, *gatedStore) {
	t.Helper()
	return startGatedConfig(t, engine.Config{Backpressure: bp})
}

// startGatedConfig starts an engine of cfg's backpressure and batch size
// on a gated store.
func startGatedConfig(t *testing.T, cfg engine.Config) (*engine.Engine, *gatedStore) {
	t.Helper()
	g := newGatedStore()
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: g, Registry: registry(),
		Backpressure: cfg.Backpressure, MaxBatch: cfg.MaxBatch})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		g.gated.Store(false)
		close(g.release) // a commit still held returns nil
		_ = e.Close()
	})
	deployW1(t, e)
	return e, g
}

type createResult struct{ err error }

func createAsync(e *engine.Engine) <-chan createResult {
	ch := make(chan createResult, 1)
	go func() {
		_, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
		ch <- createResult{err}
	}()
	return ch
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// Commands that arrive while a batch commits run at once, into one batch
// that commits as soon as the store is free, and are answered only after
// it: never with the batch in flight, never split over two more commits.
func TestCommandsArrivingDuringACommitRunAndShareTheNextCommit(t *testing.T) {
	e, g := startGated(t)
	base := g.prepared.Load()
	g.gated.Store(true)
	a := createAsync(e)
	<-g.entered // a's batch is committing
	b, c := createAsync(e), createAsync(e)
	waitFor(t, "the two creates to run while a's batch commits", func() bool { return e.WaitingForCommit() == 2 })
	select {
	case r := <-a:
		t.Fatalf("first create answered before its commit returned: %v", r.err)
	case r := <-b:
		t.Fatalf("second create answered while the batch before it was still committing: %v", r.err)
	case r := <-c:
		t.Fatalf("third create answered while the batch before it was still committing: %v", r.err)
	default:
	}
	g.release <- nil
	if r := <-a; r.err != nil {
		t.Fatal(r.err)
	}
	<-g.entered // b and c commit together
	if n := g.prepared.Load() - base; n != 2 {
		t.Fatalf("the three creates went to the store in %d commits, want 2", n)
	}
	select {
	case r := <-b:
		t.Fatalf("second create answered before its commit returned: %v", r.err)
	default:
	}
	g.release <- nil
	for _, ch := range []<-chan createResult{b, c} {
		if r := <-ch; r.err != nil {
			t.Fatal(r.err)
		}
	}
}

func TestFailedCommitFailsTheBatchesProcessedOnTopOfIt(t *testing.T) {
	e, g := startGated(t)
	var before string
	if err := e.Read(context.Background(), func(s *state.State) { before = s.Hash() }); err != nil {
		t.Fatal(err)
	}
	g.gated.Store(true)
	a := createAsync(e)
	<-g.entered
	b := createAsync(e)
	waitFor(t, "the second create to run while the first commits", func() bool { return e.WaitingForCommit() == 1 })
	g.gated.Store(false) // b's commit must never reach the store
	g.release <- errDown
	for name, ch := range map[string]<-chan createResult{"first": a, "second": b} {
		if r := <-ch; !errors.Is(r.err, engine.ErrUnavailable) {
			t.Fatalf("%s create: want ErrUnavailable, got %v", name, r.err)
		}
	}
	var after string
	if err := e.Read(context.Background(), func(s *state.State) { after = s.Hash() }); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatal("the state kept changes of batches that were never committed")
	}
	if !e.Ready() {
		t.Fatal("engine not ready after reloading from a reachable store")
	}
	if r := <-createAsync(e); r.err != nil {
		t.Fatalf("create after recovery: %v", r.err)
	}
}

func TestFailingPrepareFailsTheBatchLikeACommit(t *testing.T) {
	e, g := startGated(t)
	broken := errors.New("cannot encode")
	g.prepareErr.Store(&broken)
	if r := <-createAsync(e); !errors.Is(r.err, engine.ErrUnavailable) || !errors.Is(r.err, broken) {
		t.Fatalf("want ErrUnavailable wrapping the prepare error, got %v", r.err)
	}
	g.prepareErr.Store(nil)
	if r := <-createAsync(e); r.err != nil {
		t.Fatalf("create after the store prepares again: %v", r.err)
	}
}
