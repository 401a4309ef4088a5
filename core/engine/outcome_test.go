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
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// lossyStore loses the answer of one commit while lose is set: the commit
// is written (write set) or not, and the error says the outcome is
// unknown. While readsFail is set, reading the log fails too.
type lossyStore struct {
	*memstore.Store
	lose, write, readsFail atomic.Bool
}

func (l *lossyStore) Commit(ctx context.Context, b *store.Batch) error {
	if !l.lose.Load() {
		return l.Store.Commit(ctx, b)
	}
	l.lose.Store(false)
	if l.write.Load() {
		if err := l.Store.Commit(ctx, b); err != nil {
			return err
		}
	}
	return fmt.Errorf("commit: %w: connection reset by peer", store.ErrCommitUnknown)
}

func (l *lossyStore) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	if l.readsFail.Load() {
		return errors.New("connection refused")
	}
	return l.Store.ReadLog(ctx, from, fn)
}

func (l *lossyStore) Load(ctx context.Context) (*state.Snapshot, error) { return l.Store.Load(ctx) }

func TestACommitWithALostAnswerIsAnsweredByWhatTheStoreHolds(t *testing.T) {
	for _, tc := range []struct {
		name             string
		written, noReads bool
		want             error // nil: the create succeeds
		instances        int
	}{
		{"written", true, false, nil, 1},
		{"not written", false, false, engine.ErrUnavailable, 0},
		{"store cannot be asked", true, true, engine.ErrOutcomeUnknown, 1},
		{"store cannot be asked, not written", false, true, engine.ErrOutcomeUnknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := &lossyStore{Store: memstore.New(memstore.Options{})}
			e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: ls, Registry: registry()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = e.Close() })
			deployW1(t, e)
			ls.write.Store(tc.written)
			ls.readsFail.Store(tc.noReads)
			ls.lose.Store(true)
			created, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
			switch {
			case tc.want == nil && (err != nil || created.ProcessInstanceKey == 0):
				t.Fatalf("create whose commit was written: %v", err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("create: want %v, got %v", tc.want, err)
			}
			ls.readsFail.Store(false)
			// After the reload the state is the store's.
			var n int
			waitFor(t, "the engine to reload", func() bool {
				return e.Read(context.Background(), func(s *state.State) { n = s.Counts().Jobs }) == nil && e.Ready()
			})
			if n != tc.instances {
				t.Fatalf("jobs (one per W1 instance) after the reload: %d, want %d", n, tc.instances)
			}
		})
	}
}

// TestAKeyedCommandOfUnknownOutcomeIsSafeToSendAgain: a command with an
// idempotency key whose commit's answer was lost says that a retry with the
// key is safe, and the retry gets the original answer when the commit was
// written and runs once when it was not: one instance either way.
func TestAKeyedCommandOfUnknownOutcomeIsSafeToSendAgain(t *testing.T) {
	for _, written := range []bool{true, false} {
		t.Run(fmt.Sprintf("written=%v", written), func(t *testing.T) {
			ls := &lossyStore{Store: memstore.New(memstore.Options{})}
			e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: ls, Registry: registry()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = e.Close() })
			deployW1(t, e)
			keyed := func() context.Context {
				return engine.WithIdempotencyKey(context.Background(), engine.IdempotencyKey{Key: "k1", Fingerprint: "POST /v2/process-instances w1"})
			}
			ls.write.Store(written)
			ls.readsFail.Store(true)
			ls.lose.Store(true)
			_, err = e.CreateInstance(keyed(), engine.CreateInstanceRequest{BPMNProcessID: "w1"})
			if !errors.Is(err, engine.ErrRetryWithIdempotencyKey) || !errors.Is(err, engine.ErrOutcomeUnknown) {
				t.Fatalf("keyed create of unknown outcome: %v", err)
			}
			ls.readsFail.Store(false)
			waitFor(t, "the engine to reload", func() bool {
				return e.Read(context.Background(), func(*state.State) {}) == nil && e.Ready()
			})
			ctx := keyed()
			again, err := e.CreateInstance(ctx, engine.CreateInstanceRequest{BPMNProcessID: "w1"})
			if err != nil {
				t.Fatalf("retry with the key: %v", err)
			}
			if engine.IdempotentReplay(ctx) != written {
				t.Fatalf("retry replayed the recorded answer: %v, want %v (commit written: %v)", engine.IdempotentReplay(ctx), written, written)
			}
			var jobs int
			if err := e.Read(context.Background(), func(s *state.State) { jobs = s.Counts().Jobs }); err != nil {
				t.Fatal(err)
			}
			if jobs != 1 || again.ProcessInstanceKey == 0 {
				t.Fatalf("after the retry: %d W1 instances (one job each), instance key %d; want exactly 1", jobs, again.ProcessInstanceKey)
			}
		})
	}
}

// TestAFailedCommitIsReloadedWithoutFurtherCommands: after a failed commit
// the engine reports not ready and reloads from the store by itself; it
// does not wait for another command, which a node that reports not ready
// may never get.
func TestAFailedCommitIsReloadedWithoutFurtherCommands(t *testing.T) {
	ls := &lossyStore{Store: memstore.New(memstore.Options{})}
	e, err := engine.Start(context.Background(), engine.Config{Partition: 1, Clock: clock.NewManual(time.Unix(0, 0)), Store: ls, Registry: registry()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.Close() })
	deployW1(t, e)
	ls.lose.Store(true) // not written; the store answers the question
	if _, err := e.CreateInstance(context.Background(), engine.CreateInstanceRequest{BPMNProcessID: "w1"}); !errors.Is(err, engine.ErrUnavailable) {
		t.Fatalf("create whose commit failed: %v", err)
	}
	waitFor(t, "the engine to reload and report ready with no command sent", e.Ready)
}
