package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// KeepPartitions implements store.PartitionKeeper with meta's partitions
// column (migration 30). The update sets the count only while there is
// none, so of two engines starting on a new store at once the first one's
// count is kept and the second reads it. The meta, log_anchor and recovery
// rows of partitions 2..kept are inserted in the same transaction when
// missing (migration 31, partitions.go), and Partition serves the kept
// count afterwards.
func (s *Store) KeepPartitions(ctx context.Context, n int32) (int32, error) {
	if s.base != nil {
		return s.base.KeepPartitions(ctx, n)
	}
	var kept int32
	err := s.using(func() error {
		return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			err := tx.QueryRow(ctx, "UPDATE meta SET partitions = $1 WHERE id = 1 AND partitions IS NULL RETURNING partitions", n).Scan(&kept)
			if errors.Is(err, pgx.ErrNoRows) {
				err = tx.QueryRow(ctx, "SELECT partitions FROM meta WHERE id = 1").Scan(&kept)
			}
			if err != nil || kept <= 1 {
				return err
			}
			_, err = tx.Exec(ctx, keepPartitionRows, kept)
			return err
		})
	})
	if err != nil {
		return 0, fmt.Errorf("keep the partition count in postgres at %s: %w", s.host, err)
	}
	s.views.setCount(kept)
	return kept, nil
}
