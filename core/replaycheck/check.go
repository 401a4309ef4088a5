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
func Check(ctx context.Context, s store.Store) error {
	l, ok := s.(store.Loader)
	if !ok {
		return errors.New("replay check: the store keeps no state rows to compare with")
	}
	replayed := engine.NewState(standard.Registry())
	err := s.ReadLog(ctx, 1, func(r *record.Record) error { return replayed.Apply(r) })
	if err != nil {
		return fmt.Errorf("replay check: replay log: %w", err)
	}
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
