package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// failingOver is a flaky store that can also say it is no longer the
// database the engine started on, as pgstore does after a replica took
// over (its timeline changed).
type failingOver struct {
	flakyStore
	mu      sync.Mutex
	reason  string
	handled int
}

func (f *failingOver) failOver(reason string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reason = reason
}

func (f *failingOver) Recovered(context.Context) (string, error) {
	if f.down.Load() {
		return "", errDown
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reason, nil
}

func (f *failingOver) RecoveryHandled(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reason = ""
	f.handled++
	return nil
}

var _ store.RecoveryDetector = (*failingOver)(nil)

// An engine whose store fails over while it runs skips keys when it
// reloads, as it would at a start: an asynchronous replica may lack commits
// whose keys clients already hold.
func TestReloadAfterAFailoverSkipsKeys(t *testing.T) {
	fs := &failingOver{flakyStore: flakyStore{Store: memstore.New(memstore.Options{})}}
	mc := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: mc, Store: fs, Registry: registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ctx := context.Background()
	before, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}

	fs.down.Store(true)
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create while the primary is gone: want ErrUnavailable, got %v", err)
	}
	fs.failOver("a replica took over")
	fs.down.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for !e.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("engine did not resume on the new primary")
		}
		mc.Advance(time.Second) // the reload retry is due
		_ = e.Read(ctx, func(*state.State) {})
	}
	after, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatalf("create after the failover: %v", err)
	}
	if after.ProcessInstanceKey < before.ProcessInstanceKey+engine.KeySkip {
		t.Fatalf("key after the failover %d, want past the %d keys skipped after %d", after.ProcessInstanceKey, int64(engine.KeySkip), before.ProcessInstanceKey)
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.handled != 1 {
		t.Fatalf("failover handled %d times, want 1", fs.handled)
	}
}
