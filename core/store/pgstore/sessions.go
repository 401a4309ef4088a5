package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
)

// Browser sessions (migration 40) are written on the read pool's
// connections, outside any commit: they are not in the log. Times are
// Unix milliseconds of the engine's clock, as documents' are.

// PutSession implements store.SessionKeeper.
func (s *Store) PutSession(ctx context.Context, sess store.Session) error {
	err := s.using(func() error {
		_, err := s.pool.Exec(ctx, `INSERT INTO web_sessions (id_hash, created, last_used, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id_hash) DO UPDATE SET created = excluded.created, last_used = excluded.last_used, data = excluded.data`,
			sess.IDHash, unixMilli(sess.Created), unixMilli(sess.LastUsed), nonNil(sess.Data))
		return err
	})
	if err != nil {
		return fmt.Errorf("keep a browser session in postgres store at %s: %w", s.host, err)
	}
	return nil
}

// GetSession implements store.SessionKeeper.
func (s *Store) GetSession(ctx context.Context, idHash []byte) (store.Session, bool, error) {
	var created, lastUsed int64
	var data []byte
	err := s.using(func() error {
		return s.pool.QueryRow(ctx, `SELECT created, last_used, data FROM web_sessions WHERE id_hash = $1`, idHash).
			Scan(&created, &lastUsed, &data)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Session{}, false, nil
	}
	if err != nil {
		return store.Session{}, false, fmt.Errorf("read a browser session from postgres store at %s: %w", s.host, err)
	}
	return store.Session{IDHash: append([]byte(nil), idHash...), Created: fromUnixMilli(created), LastUsed: fromUnixMilli(lastUsed), Data: data}, true, nil
}

// TouchSession implements store.SessionKeeper.
func (s *Store) TouchSession(ctx context.Context, idHash []byte, at time.Time) error {
	err := s.using(func() error {
		_, err := s.pool.Exec(ctx, `UPDATE web_sessions SET last_used = $2 WHERE id_hash = $1 AND last_used < $2`, idHash, unixMilli(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("record a browser session's use in postgres store at %s: %w", s.host, err)
	}
	return nil
}

// DeleteSession implements store.SessionKeeper.
func (s *Store) DeleteSession(ctx context.Context, idHash []byte) error {
	err := s.using(func() error {
		_, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE id_hash = $1`, idHash)
		return err
	})
	if err != nil {
		return fmt.Errorf("end a browser session in postgres store at %s: %w", s.host, err)
	}
	return nil
}

// DeleteSessions implements store.SessionKeeper.
func (s *Store) DeleteSessions(ctx context.Context, idleBefore, createdBefore time.Time) (int64, error) {
	var n int64
	err := s.using(func() error {
		tag, err := s.pool.Exec(ctx, `DELETE FROM web_sessions WHERE last_used < $1 OR created < $2`,
			unixMilli(idleBefore), unixMilli(createdBefore))
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("end expired browser sessions in postgres store at %s: %w", s.host, err)
	}
	return n, nil
}

// Interface guard
var _ store.SessionKeeper = (*Store)(nil)
