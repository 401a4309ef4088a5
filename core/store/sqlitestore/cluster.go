package sqlitestore

import (
	"context"
	"fmt"
)

// KeepPartitions implements store.PartitionKeeper with meta's partitions
// column (migration 29). SQLite runs one partition (cmd/wf-engine refuses
// more), so the count kept is 1 unless a test asks otherwise.
func (s *Store) KeepPartitions(ctx context.Context, n int32) (int32, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var kept int32
	err := s.guard(func() error {
		if _, err := s.w.ExecContext(ctx, "UPDATE meta SET partitions = ? WHERE id = 1 AND partitions IS NULL", n); err != nil {
			return err
		}
		return s.w.QueryRowContext(ctx, "SELECT partitions FROM meta WHERE id = 1").Scan(&kept)
	})
	if err != nil {
		return 0, fmt.Errorf("keep the partition count in %s: %w", s.path, err)
	}
	return kept, nil
}
