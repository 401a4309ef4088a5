package engine_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// takenOverStore cuts one commit as a takeover by another node does (a
// paused holder's session ended by the new holder, docs/ha.md): the batch
// is not written, another node's batch takes the same positions (here the
// same records at other times), and the answer is an unknown outcome.
type takenOverStore struct {
	*memstore.Store
	cut atomic.Bool
}

func (s *takenOverStore) Commit(ctx context.Context, b *store.Batch) error {
	if !s.cut.CompareAndSwap(true, false) {
		return s.Store.Commit(ctx, b)
	}
	other := make([]*record.Record, len(b.Records))
	for i, r := range b.Records {
		c := *r
		c.Timestamp += 1000
		other[i] = &c
	}
	if err := s.Store.Commit(ctx, &store.Batch{Records: other, Changes: b.Changes}); err != nil {
		return err
	}
	return fmt.Errorf("commit: %w: terminating connection due to administrator command", store.ErrCommitUnknown)
}

// TestABatchWhosePositionsAnotherNodeWroteIsNotWritten: asking the log
// whether a batch of unknown outcome was written must find its own
// records, not merely records at its positions (conformance/sim's
// regression batch-cut-by-a-takeover-answered-as-written: the paused
// holder answered a deployment as done that the store did not hold).
func TestABatchWhosePositionsAnotherNodeWroteIsNotWritten(t *testing.T) {
	ts := &takenOverStore{Store: memstore.New(memstore.Options{})}
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: ts, Registry: registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ts.cut.Store(true)
	_, err = e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create whose positions another node's batch took: want %v (not written), got %v", engine.ErrUnavailable, err)
	}
}
