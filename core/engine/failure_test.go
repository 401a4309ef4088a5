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

// flakyStore fails commits and loads while down is set.
type flakyStore struct {
	*memstore.Store
	down atomic.Bool
}

var errDown = errors.New("database is down")

func (f *flakyStore) Commit(ctx context.Context, b *store.Batch) error {
	if f.down.Load() {
		return errDown
	}
	return f.Store.Commit(ctx, b)
}

func (f *flakyStore) Load(ctx context.Context) (*state.Snapshot, error) {
	if f.down.Load() {
		return nil, errDown
	}
	return f.Store.Load(ctx)
}

func TestLostStoreAnswersUnavailableAndRecovers(t *testing.T) {
	fs := &flakyStore{Store: memstore.New(memstore.Options{})}
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: mc, Store: fs, Registry: registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ctx := context.Background()
	var before string
	if err := e.Read(ctx, func(s *state.State) { before = s.Hash() }); err != nil {
		t.Fatal(err)
	}

	fs.down.Store(true)
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create while the store is down: want ErrUnavailable, got %v", err)
	}
	if e.Ready() {
		t.Fatal("engine reports ready while its store is down")
	}
	_, err = e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("second create while down: want ErrUnavailable, got %v", err)
	}

	fs.down.Store(false)
	mc.Advance(2 * time.Second) // the reload retry is due
	deadline := time.Now().Add(10 * time.Second)
	for !e.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("engine did not recover after the store came back")
		}
		_ = e.Read(ctx, func(*state.State) {})
		mc.Advance(2 * time.Second)
	}
	var after string
	if err := e.Read(ctx, func(s *state.State) { after = s.Hash() }); err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Fatal("a batch that failed to commit left changes in the state")
	}
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); err != nil {
		t.Fatalf("create after recovery: %v", err)
	}
}
