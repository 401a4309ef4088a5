package memstore

import "context"

// KeepPartitions implements store.PartitionKeeper: the first count asked
// for is kept for the store's life.
func (s *Store) KeepPartitions(_ context.Context, n int32) (int32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.partitions == 0 {
		s.partitions = n
	}
	return s.partitions, nil
}
