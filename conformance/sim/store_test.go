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
	// a reader may find the state; logEnd is the last one.
	batchEnds map[int64]bool
	logEnd    int64
	// lease is partition 1's row of partition_leases (nil: never held);
	// stall is a commit in flight holding it (leaseStall).
	lease *leaseRow
	stall *stall
	// epochWriters: the node that committed in each epoch;
	// lastWriteEpoch: the greatest epoch that committed.
	epochWriters   map[int64]string
	lastWriteEpoch int64
}

func newSimStore(clk *clock.Manual) *simStore {
	return &simStore{Store: memstore.New(memstore.Options{}), clk: clk, batchEnds: map[int64]bool{0: true},
		epochWriters: map[int64]string{}}
}

// nodeStore is one node's connection to the simStore: its commits are
// fenced by its lease's epoch (store.Fencer, as pgstore's are).
type nodeStore struct {
	*simStore
	r *runner
	n *simNode
	// epoch is the lease epoch every commit checks (0: not fenced).
	epoch int64
}

// FenceCommits implements store.Fencer.
func (v *nodeStore) FenceCommits(_ int32, epoch int64) { v.epoch = epoch }

// stall is a commit in flight whose node paused after wf_fence took the
// lease row (FOR SHARE): a takeover waits for it, and ends its session
// once the lease expired.
type stall struct {
	killed bool
}

var errFenced = errors.New("the lease of partition 1 was taken over (SQLSTATE WF001)")

// Commit implements store.Store with the armed fault, in the order of
// pgstore's commit: faults that keep the batch from the store's
// transaction, then wf_fence (the first statement of the transaction:
// a stale epoch refuses the batch, nothing written), a stall holding the
// lease row, the write, and faults of the answer.
func (v *nodeStore) Commit(ctx context.Context, b *store.Batch) error {
	s := v.simStore
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
	if v.epoch == 0 {
		v.r.violate("unfenced-commit", "%s committed without a lease epoch", v.n.name)
	}
	if s.lease == nil || s.lease.epoch != v.epoch {
		return v.fenced(ctx, b, f)
	}
	if d, c := v.n.stallFor, v.n.step; d > 0 && c != nil {
		// The node pauses here, holding the lease row, for stallOps
		// operations while real time moves on by d; the other nodes go
		// on meanwhile.
		v.n.stallFor = 0
		st := &stall{}
		s.stall = st
		v.n.frozen, v.n.pauseStep = v.n.stallOps, d/time.Duration(v.n.stallOps)
		v.r.stats.stalls++
		resumed := c.yield(struct{}{})
		if s.stall == st {
			s.stall = nil
		}
		if !resumed {
			// The node's process ended while it was paused: its
			// connection closed, and the transaction rolled back.
			return fmt.Errorf("commit: %w: %w: the node's process ended", errInjected, store.ErrCommitUnknown)
		}
		if st.killed {
			v.r.noteMore("the takeover ended the session of %s's stalled commit", v.n.name)
			// pg_terminate_backend: FATAL, which pgstore takes for an
			// unknown outcome; the transaction rolled back.
			return fmt.Errorf("commit: %w: %w: the session was terminated while the node was paused", errInjected, store.ErrCommitUnknown)
		}
		if s.lease == nil || s.lease.epoch != v.epoch {
			v.r.violate("fence", "%s's commit held the lease row, yet the lease was taken over meanwhile", v.n.name)
		}
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
	mem := s.Store // the memory store's own commit
	if err := mem.Commit(ctx, b); err != nil {
		return err
	}
	if n := len(b.Records); n > 0 {
		s.batchEnds[b.Records[n-1].Position] = true
		s.logEnd = b.Records[n-1].Position
	}
	// Never a commit in an epoch whose lease was taken over, never two
	// nodes in one epoch, never an epoch older than one that committed
	// before.
	if s.lease == nil || s.lease.epoch != v.epoch {
		v.r.violate("commit-after-takeover", "%s committed in epoch %d while the lease was at epoch %d", v.n.name, v.epoch, s.lease.epoch)
	}
	switch w, ok := s.epochWriters[v.epoch]; {
	case ok && w != v.n.name:
		v.r.violate("two-committers-one-epoch", "%s and %s both committed in epoch %d", w, v.n.name, v.epoch)
	case !ok:
		if v.epoch < s.lastWriteEpoch {
			v.r.violate("epoch-went-back", "%s committed in epoch %d after a commit in epoch %d", v.n.name, v.epoch, s.lastWriteEpoch)
		}
		s.epochWriters[v.epoch] = v.n.name
	}
	s.lastWriteEpoch = max(s.lastWriteEpoch, v.epoch)
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

// fenced refuses a batch by its stale epoch, as wf_fence does (SQLSTATE
// WF001, severity ERROR: the transaction rolls back, and pgstore wraps
// store.ErrLeaseLost), unless the armed fault loses the answer.
func (v *nodeStore) fenced(ctx context.Context, b *store.Batch, f fault) error {
	s := v.simStore
	v.r.stats.fencedCommits++
	v.r.noteMore("the commit of %s in epoch %d is fenced", v.n.name, v.epoch)
	end := s.logEnd
	err := fmt.Errorf("commit: %w: %w", store.ErrLeaseLost, errFenced)
	switch f {
	case faultLostAnswer:
		err = fmt.Errorf("commit: %w: %w", errInjected, store.ErrCommitUnknown)
	case faultUnknownNoRead:
		s.failRead = true
		err = fmt.Errorf("commit: %w: %w", errInjected, store.ErrCommitUnknown)
	case faultSlow:
		s.clk.Advance(s.slowBy)
	case faultCrashAfter:
		s.crashed = true
	}
	for _, rec := range b.Records {
		if correlates[rec.Intent] {
			v.r.stats.fencedMessages++
			if v.r.firstFencedMessage < 0 {
				v.r.firstFencedMessage = v.r.step
			}
			break
		}
	}
	// A fenced commit leaves nothing in the store: the log still ends
	// where it did.
	var after int64 = -1
	_ = s.Store.ReadLog(ctx, end+1, func(rec *record.Record) error {
		after = rec.Position
		return errStop
	})
	if after >= 0 {
		v.r.violate("fenced-commit-wrote", "%s's commit in epoch %d was fenced, yet the store's log grew past position %d", v.n.name, v.epoch, end)
	}
	return err
}

var errStop = errors.New("stop")

// correlates are the intents of a message correlating: a fenced batch
// holding one is a lease lost while a message correlates.
var correlates = map[record.Intent]bool{record.IntentMessageSubscriptionCorrelated: true,
	record.IntentMessageStartSubscriptionCorrelated: true, record.IntentMessageCorrelated: true}

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
	_ store.Loader          = (*simStore)(nil)
	_ store.IdempotencyKeys = (*simStore)(nil)
	_ store.Store           = (*nodeStore)(nil)
	_ store.Fencer          = (*nodeStore)(nil)
	_ store.Leaser          = leaser{}
)
