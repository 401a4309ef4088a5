package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/record"
	"github.com/example/wf-engine/core/store"
)

// The idempotency_keys table (migration 27) is written by Commit with the
// batch that recorded each answer (tables.IdempotencyKeys); here it is
// read, and expired rows are deleted, outside the commits.

// IdempotencyAnswer implements store.IdempotencyKeys.
func (s *Store) IdempotencyAnswer(ctx context.Context, keyHash string) (*store.IdempotencyAnswer, error) {
	var a *store.IdempotencyAnswer
	err := s.using(func() error {
		var created int64
		var rejection int16
		var response string
		v := store.IdempotencyAnswer{KeyHash: keyHash}
		err := s.pool.QueryRow(ctx, `SELECT fingerprint, created, command_position, rejection_type, rejection_reason, response
			FROM idempotency_keys WHERE key_hash = $1`, keyHash).
			Scan(&v.Fingerprint, &created, &v.CommandPosition, &rejection, &v.RejectionReason, &response)
		if errors.Is(err, pgx.ErrNoRows) {
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
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	return a, nil
}

// ExpireIdempotencyKeys implements store.IdempotencyKeys.
func (s *Store) ExpireIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := s.using(func() error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE key_hash IN (
			SELECT key_hash FROM idempotency_keys WHERE created < $1 ORDER BY created LIMIT $2)`, before.UnixMilli(), limit)
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
