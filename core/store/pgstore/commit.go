package pgstore

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/tables"
)

const updateMeta = "UPDATE meta SET last_key = $1, last_position = $2 WHERE id = 1"

// Prepare implements store.Preparer: it encodes the batch's records and
// rows.
func (s *Store) Prepare(b *store.Batch) error { return tables.Prepare(b) }

// Commit implements store.Store. Every statement of the batch goes to the
// server in one round trip and runs in one implicit transaction, which the
// final Sync commits: a failing statement aborts all of them.
//
// Once the store knows the highest key of any stored row (after Load), a
// row with a higher key cannot exist: it is inserted. The other rows are
// updated where they exist and inserted where they do not, which costs the
// database less than an upsert and lets the update be HOT (migration 7).
// Before Load, and after a failed commit whose outcome is unknown, rows are
// upserted.
func (s *Store) Commit(ctx context.Context, b *store.Batch) error {
	rows, err := tables.Prepared(b)
	if err != nil {
		return err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	known := s.maxKey
	s.maxKey = -1
	batch := &pgx.Batch{}
	if rows.Log.Len() > 0 {
		batch.Queue(tables.LogSegments.InsertUnnest(), rows.Log.Arrays()...)
	}
	written := max(known, b.Changes.LastKey)
	for _, r := range rows.State {
		written = max(written, r.MaxKey())
		if known < 0 || !r.T.Upsert {
			batch.Queue(r.T.InsertUnnest(), r.Arrays()...)
			continue
		}
		fresh, old := r.Split(known)
		if fresh.Len() > 0 {
			batch.Queue(r.T.AppendUnnest(), fresh.Arrays()...)
		}
		if old.Len() > 0 {
			batch.Queue(r.T.UpdateUnnest(), old.Arrays()...)
		}
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
		if err := s.writer.SendBatch(ctx, batch).Close(); err != nil {
			return fmt.Errorf("commit batch at position %d to postgres at %s: %w", b.Changes.LastPosition, s.host, err)
		}
		if known >= 0 {
			s.maxKey = written
		}
		return nil
	})
}
