package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// The idempotency_keys table (migration 26) is written by Commit with the
// batch that recorded each answer (tables.IdempotencyKeys); here it is
// read, and expired rows are deleted between commits.

// IdempotencyAnswer implements store.IdempotencyKeys.
func (s *Store) IdempotencyAnswer(ctx context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	var a *store.IdempotencyAnswer
	err := s.guard(func() error {
		var created int64
		var rejection int64
		v := store.IdempotencyAnswer{KeyHash: keyHash}
		var response string
		err := s.r.QueryRowContext(ctx, `SELECT fingerprint, created, command_position, rejection_type, rejection_reason, response
			FROM idempotency_keys WHERE key_hash = ?`, keyHash).
			Scan(&v.Fingerprint, &created, &v.CommandPosition, &rejection, &v.RejectionReason, &response)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if rejection < 0 || rejection > 255 {
			return fmt.Errorf("rejection type %d out of range", rejection)
		}
		v.Created, v.RejectionType = time.UnixMilli(created).UTC(), record.RejectionType(rejection)
		if response != "" {
			v.Response = []byte(response)
		}
		a = &v
		return nil
	})
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
		res, err := s.w.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE key_hash IN (
			SELECT key_hash FROM idempotency_keys WHERE created < ? ORDER BY created LIMIT ?)`, before.UnixMilli(), limit)
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
