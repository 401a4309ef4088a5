package sqlitestore

import (
	"context"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
	"github.com/example/wf-engine/core/store/internal/tables"
)

// The idempotency_keys table (migration 26) is written by Commit with the
// batch that recorded each answer (tables.IdempotencyKeys); here it is
// read, and expired rows are deleted between commits.

// IdempotencyAnswer implements store.IdempotencyKeys.
func (s *Store) IdempotencyAnswer(ctx context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	a, err := tables.ReadIdempotencyAnswer(ctx, s.fetch, search.SQLite.Param, keyHash)
	if err != nil {
		return nil, fmt.Errorf("read idempotency key in %s: %w", s.path, err)
	}
	return a, nil
}

// ExpireIdempotencyKeys implements store.IdempotencyKeys.
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var n int64
	err := s.guard(func() error {
		res, err := s.w.ExecContext(ctx, tables.ExpireIdempotencyKeys(search.SQLite.Param), before.UnixMilli(), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("expire idempotency keys in %s: %w", s.path, err)
	}
	return int(n), nil
}

// Interface guard
var _ store.IdempotencyKeys = (*Store)(nil)
