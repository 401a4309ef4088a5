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

// encoded is a prepared batch: its log segment and state rows.
type encoded struct {
	log   *tables.Rows
	state []*tables.Rows
}

// Prepare implements store.Preparer: it encodes the batch's records and
// rows.
func (s *Store) Prepare(b *store.Batch) error {
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
	b.Prepared = &encoded{log: logRows, state: stateRows}
	return nil
}

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
	if b == nil {
		return errors.New("commit: nil batch")
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	known := s.maxKey
	s.maxKey = -1
	if b.Prepared == nil {
		if err := s.Prepare(b); err != nil {
			return err
		}
	}
	rows, ok := b.Prepared.(*encoded)
	if !ok {
		return fmt.Errorf("commit: the batch was prepared by another store (%T)", b.Prepared)
	}
	batch := &pgx.Batch{}
	if rows.log.Len() > 0 {
		batch.Queue(tables.LogSegments.InsertUnnest(), rows.log.Arrays()...)
	}
	written := max(known, b.Changes.LastKey)
	for _, r := range rows.state {
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
