package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/example/wf-engine/core/store"
)

// Recovered implements store.RecoveryDetector: the reason the copies of
// Backup and the files Restore puts in place carry (migration 14), until
// RecoveryHandled clears it.
func (s *Store) Recovered(ctx context.Context) (string, error) {
	var pending string
	err := s.guard(func() error {
		return s.r.QueryRowContext(ctx, "SELECT pending FROM recovery WHERE id = 1").Scan(&pending)
	})
	if err != nil {
		return "", fmt.Errorf("read the recovery marker of %s: %w", s.path, err)
	}
	return pending, nil
}

// RecoveryHandled implements store.RecoveryDetector. It is the one write
// outside a Commit: it clears the marker once the engine skipped keys.
func (s *Store) RecoveryHandled(ctx context.Context) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.guard(func() error {
		_, err := s.w.ExecContext(ctx, "UPDATE recovery SET pending = '' WHERE id = 1")
		return err
	})
	if err != nil {
		return fmt.Errorf("clear the recovery marker of %s: %w", s.path, err)
	}
	return nil
}

// markRecovered sets the recovery marker of the database db to reason,
// unless one is set already (a backup's is kept: it names the backup's
// time).
func markRecovered(ctx context.Context, db *sql.DB, reason string) error {
	_, err := db.ExecContext(ctx, "UPDATE recovery SET pending = ? WHERE id = 1 AND pending = ''", reason)
	if err != nil {
		return fmt.Errorf("set the recovery marker: %w", err)
	}
	return nil
}

// Interface guard
var _ store.RecoveryDetector = (*Store)(nil)
