package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// The idempotency_keys table (migration 27) is written by Commit with the
// batch that recorded each answer (tables.IdempotencyKeys); here it is
// read, and expired rows are deleted, outside the commits.

// IdempotencyAnswer implements store.IdempotencyKeys.
func (s *Store) IdempotencyAnswer(ctx context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	a, err := tables.ReadIdempotencyAnswer(ctx, s.fetch, search.Postgres.Param, keyHash)
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	return a, nil
}

// ExpireIdempotencyKeys implements store.IdempotencyKeys.
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.using(func() error {
		tag, err := s.pool.Exec(ctx, tables.ExpireIdempotencyKeys(search.Postgres.Param), before.UnixMilli(), limit)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire idempotency keys: %w", err)
	}
	return int(n), nil
}

// Interface guard
var _ store.IdempotencyKeys = (*Store)(nil)
