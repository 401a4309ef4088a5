package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/clock"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/memstore"
)

// fault is what the simulated store does with its next commit.
type fault uint8

// Faults; the numbers appear in scenario files.
const (
	faultNone fault = 0
	// faultFail refuses the commit: nothing is written.
	faultFail fault = 1
	// faultLostAnswer writes the batch and answers ErrCommitUnknown.
	faultLostAnswer fault = 2
	// faultUnknownNotWritten writes nothing and answers ErrCommitUnknown.
	faultUnknownNotWritten fault = 3
	// faultUnknownNoRead writes the batch, answers ErrCommitUnknown and
	// fails the engine's log read that asks whether it was written.
	faultUnknownNoRead fault = 4
	// faultSlow writes the batch while the clock moves on.
	faultSlow fault = 5
	// faultCrashBefore crashes the node before the commit reaches the
	// store: nothing is written, nobody is answered.
	faultCrashBefore fault = 6
	// faultCrashAfter crashes the node after the commit, before any
	// caller is answered.
	faultCrashAfter fault = 7
	// faultLoadFails makes the next state reload fail once.
	faultLoadFails fault = 8
)

// faultCount is one more than the greatest fault.
const faultCount = 9

var faultNames = [...]string{"none", "fail", "lost-answer", "unknown-not-written", "unknown-no-read", "slow", "crash-before", "crash-after", "load-fails"}

func (f fault) String() string {
	if int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("fault(%d)", f)
}

var errInjected = errors.New("injected store fault")

// simStore is a memory store with injected faults. It is used from the
// runner's goroutine only.
type simStore struct {
	*memstore.Store
	clk       *clock.Manual
	armed     fault // applies to the next commit (or load)
	failRead  bool  // the next ReadLog fails
	crashed   bool  // a crash fault fired: the node is gone
	commits   int
	slowBy    time.Duration
	loadFails bool
	// encode keeps the log's records encoded and decoded, as durable
	// stores do, instead of the engine's own.
	encode bool
	// batchEnds are the positions at which committed batches end: where
	// a reader may find the state.
	batchEnds map[int64]bool
}

func newSimStore(clk *clock.Manual) *simStore {
	return &simStore{Store: memstore.New(memstore.Options{}), clk: clk, batchEnds: map[int64]bool{0: true}}
}

// Commit implements store.Store with the armed fault.
func (s *simStore) Commit(ctx context.Context, b *store.Batch) error {
	f := s.armed
	s.armed = faultNone
	if s.crashed {
		return fmt.Errorf("%w: the node crashed", errInjected)
	}
	s.commits++
	switch f {
	case faultFail:
		return fmt.Errorf("commit: %w", errInjected)
	case faultUnknownNotWritten:
		return fmt.Errorf("commit: %w: %w", errInjected, store.ErrCommitUnknown)
	case faultCrashBefore:
		s.crashed = true
		return fmt.Errorf("commit: %w: crashed", errInjected)
	}
	if s.encode {
		// As a durable store keeps them: encoded. The engine's records
		// stay the engine's; the log holds decoded copies.
		recs := make([]*record.Record, len(b.Records))
		for i, r := range b.Records {
			enc, err := record.Marshal(r)
			if err != nil {
				return fmt.Errorf("commit: encode record %d: %w", r.Position, err)
			}
			if recs[i], err = record.Unmarshal(enc); err != nil {
				return fmt.Errorf("commit: decode record %d: %w", r.Position, err)
			}
		}
		b = &store.Batch{Records: recs, Changes: b.Changes, Prepared: b.Prepared}
	}
	if err := s.Store.Commit(ctx, b); err != nil {
		return err
	}
	if n := len(b.Records); n > 0 {
		s.batchEnds[b.Records[n-1].Position] = true
	}
	switch f {
	case faultLostAnswer:
		return fmt.Errorf("commit: %w: %w", errInjected, store.ErrCommitUnknown)
	case faultUnknownNoRead:
		s.failRead = true
		return fmt.Errorf("commit: %w: %w", errInjected, store.ErrCommitUnknown)
	case faultSlow:
		s.clk.Advance(s.slowBy)
	case faultCrashAfter:
		s.crashed = true
	}
	return nil
}

// ReadLog implements store.Store; it fails once after faultUnknownNoRead.
func (s *simStore) ReadLog(ctx context.Context, from int64, fn func(*record.Record) error) error {
	if s.failRead {
		s.failRead = false
		return fmt.Errorf("read log: %w", errInjected)
	}
	return s.Store.ReadLog(ctx, from, fn)
}

// Load implements store.Loader; it fails once after faultLoadFails.
func (s *simStore) Load(ctx context.Context) (*state.Snapshot, error) {
	if s.loadFails {
		s.loadFails = false
		return nil, fmt.Errorf("load: %w", errInjected)
	}
	return s.Store.Load(ctx)
}

// Interface guards
var (
	_ store.Store           = (*simStore)(nil)
	_ store.Loader          = (*simStore)(nil)
	_ store.IdempotencyKeys = (*simStore)(nil)
)
