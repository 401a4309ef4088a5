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
// count is kept and the second reads it.
func (s *Store) KeepPartitions(ctx context.Context, n int32) (int32, error) {
	var kept int32
	err := s.using(func() error {
		err := s.pool.QueryRow(ctx, "UPDATE meta SET partitions = $1 WHERE id = 1 AND partitions IS NULL RETURNING partitions", n).Scan(&kept)
		if errors.Is(err, pgx.ErrNoRows) {
			err = s.pool.QueryRow(ctx, "SELECT partitions FROM meta WHERE id = 1").Scan(&kept)
		}
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("keep the partition count in postgres at %s: %w", s.host, err)
	}
	return kept, nil
}
