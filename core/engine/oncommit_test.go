package engine_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// commitLog is an OnCommit hook that keeps what it is told.
type commitLog struct {
	mu      sync.Mutex
	batches [][]*record.Record
	errs    []error
}

func (c *commitLog) observe(b *store.Batch, took time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if took < 0 {
		panic("negative commit time")
	}
	c.batches = append(c.batches, b.Records)
	c.errs = append(c.errs, err)
}

// Every hook hears of every commit, in order, before the command is
// answered; a failed commit is reported with its error.
func TestOnCommitHearsEveryCommit(t *testing.T) {
	fs := &flakyStore{Store: memstore.New(memstore.Options{})}
	var first, second commitLog
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Store: fs, Registry: registry(), OnCommit: []func(*store.Batch, time.Duration, error){first.observe, second.observe}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ctx := context.Background()
	created, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if err != nil {
		t.Fatal(err)
	}
	// Answered, so already observed: the last batch holds the creation.
	first.mu.Lock()
	n := len(first.batches)
	var found bool
	var last int64
	for _, b := range first.batches {
		for _, r := range b {
			if r.Position <= last {
				t.Errorf("positions out of order: %d after %d", r.Position, last)
			}
			last = r.Position
			if r.Kind == record.KindEvent && r.Key == created.ProcessInstanceKey && r.Intent == record.IntentElementActivated {
				found = true
			}
		}
	}
	first.mu.Unlock()
	if n < 2 || !found {
		t.Fatalf("expected the deployment's and the creation's batches, got %d batches (creation seen: %v)", n, found)
	}

	fs.down.Store(true)
	if _, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"}); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create while the store is down: %v", err)
	}
	second.mu.Lock()
	defer second.mu.Unlock()
	if len(second.errs) != n+1 || !errors.Is(second.errs[n], errDown) {
		t.Fatalf("expected the failed commit reported to every hook with its error, got %v", second.errs)
	}
}
