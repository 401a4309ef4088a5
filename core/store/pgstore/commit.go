package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

const updateMeta = "UPDATE meta SET last_key = $1, last_position = $2 WHERE id = 1"

// Commit implements store.Store. Every statement of the batch goes to the
// server in one round trip and runs in one implicit transaction, which the
// final Sync commits: a failing statement aborts all of them.
func (s *Store) Commit(ctx context.Context, b *store.Batch) error {
	if b == nil {
		return errors.New("commit: nil batch")
	}
	logRows, err := tables.EncodeSegment(b.Records)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	stateRows, err := tables.EncodeChanges(&b.Changes)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	batch := &pgx.Batch{}
	if logRows.Len() > 0 {
		batch.Queue(tables.LogSegments.InsertUnnest(), logRows.Arrays()...)
	}
	for _, r := range stateRows {
		batch.Queue(r.T.InsertUnnest(), r.Arrays()...)
	}
	batch.Queue(updateMeta, b.Changes.LastKey, b.Changes.LastPosition)
	if s.extra != "" {
		batch.Queue(s.extra)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.CommitTimeout)
		defer cancel()
	}
	return s.using(func() error {
		if err := s.pool.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("commit batch at position %d to postgres at %s: %w", b.Changes.LastPosition, s.host, err)
		}
		return nil
	})
}
