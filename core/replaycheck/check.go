package replaycheck

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/example/wf-engine/core/engine"
	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/state"
	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/elements/standard"
)

// maxDiffs bounds how many differences an error lists.
const maxDiffs = 5

// Check replays the whole log of s through the appliers and compares the
// result with the state restored from the rows s loads: they must be
// byte-identical (state.Dump). Nothing may write to s meanwhile. A
// difference is reported as a *Mismatch naming the first differing rows.
//
// When log compaction removed the log's beginning and s reads no archive
// of it (store.ErrCompacted), Check starts from the store's newest
// checkpoint instead (see FromCheckpoint). Check is for a store of one
// partition (or partition 1's view); CheckPartition for the others.
func Check(ctx context.Context, s store.Store) error {
	return CheckPartition(ctx, s, 1)
}

// CheckPartition is Check of partition p's store (its view of a store of
// several partitions): the replay starts where the engine starts p, at the
// beginning of p's position and key ranges.
func CheckPartition(ctx context.Context, s store.Store, p int32) error {
	l, ok := s.(store.Loader)
	if !ok {
		return errors.New("replay check: the store keeps no state rows to compare with")
	}
	replayed, err := engine.NewPartitionState(standard.Registry(), p)
	if err != nil {
		return fmt.Errorf("replay check: %w", err)
	}
	err = s.ReadLog(ctx, 1, func(r *record.Record) error { return replayed.Apply(r) })
	if errors.Is(err, store.ErrCompacted) {
		return FromCheckpoint(ctx, s)
	}
	if err != nil {
		return fmt.Errorf("replay check: replay log: %w", err)
	}
	return compareWithRows(ctx, l, replayed)
}

// FromCheckpoint is Check starting from the store's newest log checkpoint:
// the state it holds, restored, then the log after its position replayed
// through the appliers, compared with the rows s loads.
func FromCheckpoint(ctx context.Context, s store.Store) error {
	l, ok := s.(store.Loader)
	c, ok2 := s.(store.LogCompactor)
	if !ok || !ok2 {
		return errors.New("replay check: the store keeps no log checkpoints")
	}
	cp, found, err := c.LogCheckpoint(ctx)
	if err != nil {
		return fmt.Errorf("replay check: %w", err)
	}
	if !found {
		return errors.New("replay check: the log's beginning was compacted, but the store has no checkpoint")
	}
	replayed, err := engine.RestoreState(standard.Registry(), cp.State)
	if err != nil {
		return fmt.Errorf("replay check: restore the checkpoint at position %d: %w", cp.Position, err)
	}
	err = s.ReadLog(ctx, cp.Position+1, func(r *record.Record) error { return replayed.Apply(r) })
	if err != nil {
		return fmt.Errorf("replay check: replay log after the checkpoint at position %d: %w", cp.Position, err)
	}
	return compareWithRows(ctx, l, replayed)
}

// compareWithRows compares replayed with the state restored from l's rows.
func compareWithRows(ctx context.Context, l store.Loader, replayed *state.State) error {
	snap, err := l.Load(ctx)
	if err != nil {
		return fmt.Errorf("replay check: %w", err)
	}
	restored, err := engine.RestoreState(standard.Registry(), snap)
	if err != nil {
		return fmt.Errorf("replay check: restore stored rows: %w", err)
	}
	return Compare(replayed, restored)
}

// Compare diffs the state rebuilt from the log with the state restored from
// the rows; it returns nil when their dumps are byte-identical.
func Compare(replayed, restored *state.State) error {
	a, b := replayed.Dump(), restored.Dump()
	if bytes.Equal(a, b) {
		return nil
	}
	diffs, err := diff(a, b)
	if err != nil {
		return fmt.Errorf("replay check: compare dumps: %w", err)
	}
	return &Mismatch{Diffs: diffs}
}

// Mismatch says where the replayed and the stored state differ.
type Mismatch struct {
	// Diffs name the differing entries, "table key: what", first ones only.
	Diffs []string
}

func (m *Mismatch) Error() string {
	var b bytes.Buffer
	b.WriteString("replay check: the log and the stored rows disagree: ")
	for i, d := range m.Diffs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(d)
	}
	return b.String()
}
