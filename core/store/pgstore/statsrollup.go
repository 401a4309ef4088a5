package pgstore

import (
	"context"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/example/wf-engine/core/store"
	"github.com/example/wf-engine/core/store/internal/search"
)

// statisticsLock is the usage rollup's sentinel row (usage.go), which the
// start-minute rollup locks FOR UPDATE, as the usage rollup does. (The
// element statistics rollup of migration 33 that shared it gave way to
// the live counters of migration 38, pgstore/statistics.go.)
const statisticsLock = `SELECT 1 FROM usage_rollup_marks WHERE partition_id = -1 FOR UPDATE`

// RollUpSearches implements store.SearchRoller: the start minutes
// (rollUpStartMinutes), up to limit rows. The element statistics need no
// rollup since migration 38 (live counters).
func (s *Store) RollUpSearches(ctx context.Context, limit int) (int, bool, error) {
	if limit <= 0 {
		return 0, false, nil
	}
	var bounded int
	var more bool
	err := s.using(func() error {
		var err error
		if bounded, more, err = s.rollUpStartMinutes(ctx, limit); err != nil {
			return fmt.Errorf("start minutes: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("roll up searches at %s: %w", s.host, err)
	}
	return bounded, more, nil
}

// The start minutes (migration 33): per partition and start minute the
// lowest and highest element instance key started in it, up to a key per
// partition (element_start_marks). Keys grow in commit order within a
// partition and a row's start time never changes, so every row at or
// below the mark lies in its minute's range; removals only widen it.
const (
	startPartitions = `INSERT INTO element_start_marks (partition_id, element_instance_key)
		SELECT p, (p::bigint << 51) - 1 FROM generate_series(0, (SELECT COALESCE(max(key), 0) FROM element_instances) >> 51) AS p
		ON CONFLICT (partition_id) DO NOTHING`
	startLockMarks = `SELECT partition_id, element_instance_key FROM element_start_marks ORDER BY partition_id FOR UPDATE`
	startMarks     = `SELECT partition_id, element_instance_key FROM element_start_marks WHERE partition_id >= 0 ORDER BY partition_id`
	startMark      = `UPDATE element_start_marks SET element_instance_key = $2 WHERE partition_id = $1`
	// startCount bounds the next $3 element instances of partition $4
	// above its mark ($1, below $2) by start minute and returns how many it
	// read and the highest key.
	startCount = `WITH batch AS (
			SELECT key, start_time - ((start_time % 60000) + 60000) % 60000 AS start_minute FROM element_instances
			WHERE key > $1 AND key < $2 ORDER BY key LIMIT $3),
		bounded AS (
			INSERT INTO element_start_minutes (partition_id, start_minute, min_key, max_key)
			SELECT $4, start_minute, min(key), max(key) FROM batch GROUP BY start_minute
			ON CONFLICT (partition_id, start_minute) DO UPDATE SET
				min_key = LEAST(element_start_minutes.min_key, excluded.min_key),
				max_key = GREATEST(element_start_minutes.max_key, excluded.max_key))
		SELECT count(*), COALESCE(max(key), 0) FROM batch`
	// startRanges returns, per partition, the lowest and highest key
	// started in the minutes from $1 to $2.
	startRanges = `SELECT partition_id, min(min_key), max(max_key) FROM element_start_minutes
		WHERE start_minute >= $1 AND start_minute <= $2 GROUP BY partition_id ORDER BY partition_id`
)

// rollUpStartMinutes bounds up to limit element instances above the
// marks, partition by partition, in one transaction.
func (s *Store) rollUpStartMinutes(ctx context.Context, limit int) (int, bool, error) {
	bounded := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, statisticsLock); err != nil {
			return fmt.Errorf("lock: %w", err)
		}
		if _, err := tx.Exec(ctx, startPartitions); err != nil {
			return fmt.Errorf("add partitions: %w", err)
		}
		var err error
		bounded, err = rollUpAboveMarks(ctx, tx, limit, startLockMarks, startCount, startMark, func(partition int64) []any { return []any{partition} })
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return bounded, bounded >= limit, nil
}

// startKeys implements search.StartKeys from the start minutes: per
// partition the keys of the minutes from's to to's, and every key above
// the partition's mark (the last partition's range is open, for
// partitions not rolled up yet). Read before the search's snapshot: the
// marks only grow, and whatever was above them then still is in a range.
func (s *Store) startKeys(ctx context.Context, from, to int64) (ranges []search.KeyRange, ok bool, err error) {
	err = s.using(func() error {
		ranges, ok, err = s.readStartKeys(ctx, from, to)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("read the start minutes at %s: %w", s.host, err)
	}
	return ranges, ok, nil
}

func (s *Store) readStartKeys(ctx context.Context, from, to int64) ([]search.KeyRange, bool, error) {
	tx, err := s.pool.BeginTx(ctx, readOnly)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	rows, err := tx.Query(ctx, startMarks)
	if err != nil {
		return nil, false, err
	}
	marks, err := pgx.CollectRows(rows, pgx.RowToStructByPos[search.UsageMark])
	if err != nil {
		return nil, false, fmt.Errorf("read the start marks: %w", err)
	}
	if len(marks) == 0 {
		return nil, false, nil
	}
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if from > math.MinInt64 {
		lo = search.MinuteOf(from)
	}
	if to < math.MaxInt64 {
		hi = search.MinuteOf(to)
	}
	if lo > hi {
		return []search.KeyRange{}, true, nil
	}
	rows, err = tx.Query(ctx, startRanges, lo, hi)
	if err != nil {
		return nil, false, err
	}
	type bounds struct{ Partition, Min, Max int64 }
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[bounds])
	if err != nil {
		return nil, false, fmt.Errorf("read the start minutes: %w", err)
	}
	var out []search.KeyRange
	for i, m := range marks {
		above := search.KeyRange{From: m.Key + 1, To: (m.Partition+1)<<search.KeyPartitionShift - 1}
		if i == len(marks)-1 {
			above.To = -1
		}
		for _, b := range found {
			if b.Partition != m.Partition {
				continue
			}
			if b.Max >= m.Key {
				// Adjacent to the keys above the mark: one range.
				above.From = b.Min
				continue
			}
			out = append(out, search.KeyRange{From: b.Min, To: b.Max})
		}
		out = append(out, above)
	}
	return out, true, nil
}

// Interface guard
var _ store.SearchRoller = (*Store)(nil)
